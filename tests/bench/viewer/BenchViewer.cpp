// bench_viewer [--size NxNxN] [--view PIXELS] [--frames N]   (needs an X server: DISPLAY,
// QT_QPA_PLATFORM=xcb)
// 1. Frame time while scrolling: a 1024×1024 (--view) SliceView of a generated 512×512×32 study
//    with a relative-enhancement overlay on; each frame is one slice step, timed from the
//    document change (which schedules a frame) until the frame is on its way to the screen: the
//    view's framePainted (end of its paintEvent, or the GL surface's frameSwapped) and the
//    return to the event loop, where the software display's backing store has been flushed.
//    Median and p95 over the frames, for both displays of the view (software, OpenGL via VTK).
// 2. Channel switch: document channel change → frame, cycling through the six channels.
// 3. Cold start-up: a fresh process of this program (--startup-child) opens the study written
//    as NIfTI in the real MainWindow; from process launch to its first frame showing the study.
// bench_viewer --screenshot OUT.png writes a screenshot of the main window with a generated
// study (the README's doc/images/main-window.png) instead; --screenshot OUT.png STUDY, of the
// study folder STUDY.
// Prints the figures next to the goals of the viewer issue (p95 ≤ 16 ms, switch ≤ 16 ms,
// start-up ≤ 1.5 s).
#include "MainWindow.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/StudyReader.h"
#include "breastmsc/io/SyntheticCohort.h"
#include "model/StudyDocument.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QMouseEvent>
#include <QPixmap>
#include <QProcess>
#include <QScreen>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace bmsc;

namespace {

double percentile(std::vector<double> v, double q) {
    if (v.empty()) {
        return 0.0;
    }
    std::sort(v.begin(), v.end());
    const auto n = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(n, v.size() - 1)];
}

/// Runs `step` once per frame: `step(i)` changes the document (scheduling a frame); the time
/// from that call to the event loop after the next framePainted is one sample.
std::vector<double> timeFrames(viewer::SliceView& view, int frames,
                               const std::function<void(int)>& step) {
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(frames));
    QElapsedTimer clock;
    QEventLoop loop;
    int i = 0;
    auto conn = QObject::connect(&view, &viewer::SliceView::framePainted, &loop, [&] {
        QTimer::singleShot(0, &loop, [&] {
            samples.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
            if (++i >= frames) {
                loop.quit();
                return;
            }
            clock.restart();
            step(i);
        });
    });
    clock.start();
    step(0);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(conn);
    return samples;
}

int startupChild(const QString& folder) {
    int argc = 1;
    char name[] = "bench_viewer";
    char* argv[] = {name, nullptr};
    QApplication app(argc, argv);
    app::MainWindow window;
    window.show();
    auto* view = window.findChild<viewer::SliceView*>(QStringLiteral("sliceView"));
    QObject::connect(view, &viewer::SliceView::framePainted, &app, [&] {
        if (window.document()->hasStudy()) {
            std::printf("FIRST_FRAME\n");
            std::fflush(stdout);
            QTimer::singleShot(0, &app, &QApplication::quit);
        }
    });
    window.openPath(folder);
    QTimer::singleShot(60000, &app, [] { QApplication::exit(2); });
    return app.exec();
}

/// (post − pre) / pre over tissue (pre above a quarter of its automatic window centre), else 0.
std::shared_ptr<const io::Volume> enhancementMap(const io::Study& study, io::Channel phase) {
    auto map = std::make_shared<io::Volume>(study.geometry());
    const auto pre = study.channel(io::Channel::Pre).voxels();
    const auto post = study.channel(phase).voxels();
    const auto floor =
        static_cast<float>(0.25 * viewer::automaticWindow(study.channel(io::Channel::Pre)).center);
    auto out = map->voxels();
    for (std::size_t n = 0; n < out.size(); ++n) {
        out[n] = pre[n] < floor ? 0.0f : (post[n] - pre[n]) / pre[n];
    }
    return map;
}

// The main window in the 1×3 layout at 1600 × 900 with `folder` open; false if it did not open.
bool openInWindow(app::MainWindow& window, const QString& folder) {
    window.findChild<QAction*>(QStringLiteral("layout_1x3"))->trigger();
    window.resize(1600, 900);
    window.show();
    window.openPath(folder);
    QEventLoop loop;
    QObject::connect(window.document(), &viewer::StudyDocument::studyChanged, &loop,
                     &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
    if (!window.document()->hasStudy()) {
        std::fprintf(stderr, "%s did not open\n", qPrintable(folder));
        return false;
    }
    return true;
}

int saveShot(app::MainWindow& window, const QString& out) {
    const QPixmap shot = window.screen()->grabWindow(window.winId());
    if (!shot.save(out)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(out));
        return 1;
    }
    std::printf("wrote %s (%dx%d)\n", qPrintable(out), shot.width(), shot.height());
    return 0;
}

// A screenshot of any study folder as it opens (post1, no overlay): how the viewer shows files
// made by other tools (oblique, stored RAS, axes swapped).
int screenshotOf(const QString& out, const QString& folder) {
    int argc = 1;
    char name[] = "bench_viewer";
    char* argv[] = {name, nullptr};
    QApplication app(argc, argv);
    app::MainWindow window;
    if (!openInWindow(window, folder)) {
        return 1;
    }
    window.document()->setChannel(io::Channel::Post1);
    QEventLoop settle;
    QTimer::singleShot(1000, &settle, &QEventLoop::quit);
    settle.exec();
    return saveShot(window, out);
}

int screenshot(const QString& out) {
    int argc = 1;
    char name[] = "bench_viewer";
    char* argv[] = {name, nullptr};
    QApplication app(argc, argv);
    io::SyntheticOptions options;
    options.patients = 1;
    options.seed = 5;
    options.size = {256, 256, 32};
    // The first patient of the generated cohort with a malignant lesion.
    io::SyntheticPatient patient;
    for (int index = 0; index < 20; ++index) {
        patient = io::generateSyntheticPatient(options, index);
        if (std::any_of(patient.lesions.begin(), patient.lesions.end(), [](const auto& l) {
                return l.kind == io::SyntheticLesionKind::Malignant;
            })) {
            break;
        }
    }
    QTemporaryDir dir;
    const QString folder = dir.filePath(QString::fromStdString(patient.patientId));
    io::writeImageStudy(patient.study, folder.toStdString());

    app::MainWindow window;
    if (!openInWindow(window, folder)) {
        return 1;
    }
    // Show the largest malignant lesion on the early post-contrast phase.
    const io::SyntheticLesion* largest = nullptr;
    for (const auto& lesion : patient.lesions) {
        const bool malignant = lesion.kind == io::SyntheticLesionKind::Malignant;
        const bool largestMalignant =
            largest != nullptr && largest->kind == io::SyntheticLesionKind::Malignant;
        if (largest == nullptr || (malignant && !largestMalignant) ||
            (malignant == largestMalignant && lesion.diameterMm > largest->diameterMm)) {
            largest = &lesion;
        }
    }
    if (largest != nullptr) {
        window.document()->setCursor(
            patient.study.geometry().physicalToNearestIndex(largest->centre));
    }
    window.document()->setChannel(io::Channel::Post1);
    auto* view = window.findChild<viewer::SliceView*>(QStringLiteral("sliceView"));
    viewer::OverlayLayer layer;  // relative enhancement ≥ 80 % at post1, hot colour map
    layer.volume = enhancementMap(patient.study, io::Channel::Post1);
    layer.threshold = 0.8;
    layer.maximum = 2.5;
    layer.opacity = 0.6;
    for (auto* v : window.findChildren<viewer::SliceView*>()) {
        v->setOverlay(layer);
    }
    if (largest != nullptr) {
        // Hover the lesion so that the status bar shows its values.
        const io::Index3 v = patient.study.geometry().physicalToNearestIndex(largest->centre);
        for (int y = 0; y < view->height(); y += 2) {
            for (int x = 0; x < view->width(); x += 2) {
                const auto hit =
                    view->sliceRenderer()->voxelAt(x, y, view->width(), view->height());
                if (hit && (*hit)[0] == v[0] && (*hit)[1] == v[1]) {
                    QMouseEvent move(QEvent::MouseMove, QPointF(x, y),
                                     view->mapToGlobal(QPointF(x, y)), Qt::NoButton, Qt::NoButton,
                                     Qt::NoModifier);
                    QApplication::sendEvent(view, &move);
                    y = view->height();
                    break;
                }
            }
        }
    }
    QEventLoop frame;
    QObject::connect(view, &viewer::SliceView::framePainted, &frame, &QEventLoop::quit);
    view->update();
    QTimer::singleShot(10000, &frame, &QEventLoop::quit);
    frame.exec();
    QTimer::singleShot(300, &frame, &QEventLoop::quit);  // let the window settle
    frame.exec();
    return saveShot(window, out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--startup-child") {
        return startupChild(QString::fromLocal8Bit(argv[2]));
    }
    if (argc == 4 && std::string(argv[1]) == "--screenshot") {
        return screenshotOf(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    }
    if (argc == 3 && std::string(argv[1]) == "--screenshot") {
        return screenshot(QString::fromLocal8Bit(argv[2]));
    }
    QApplication app(argc, argv);
    io::SyntheticOptions options;
    options.patients = 1;
    options.seed = 3;
    options.size = {512, 512, 32};
    int frames = 300;
    int viewSize = 1024;
    const QStringList args = app.arguments();
    for (int a = 1; a + 1 < args.size(); ++a) {
        if (args[a] == QStringLiteral("--size")) {
            options.size = io::parseGridSize(args[a + 1].toStdString());
        } else if (args[a] == QStringLiteral("--view")) {
            viewSize = std::max(64, args[a + 1].toInt());
        } else if (args[a] == QStringLiteral("--frames")) {
            frames = std::max(10, args[a + 1].toInt());
        }
    }
    std::printf("generating a %lldx%lldx%lld study...\n", static_cast<long long>(options.size[0]),
                static_cast<long long>(options.size[1]), static_cast<long long>(options.size[2]));
    auto study = std::make_shared<const io::Study>(io::generateSyntheticPatient(options, 0).study);
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("P0001"));
    io::writeImageStudy(*study, folder.toStdString());

    // Overlay: relative enhancement post2 vs pre over tissue, hot colour map.
    const auto overlay = enhancementMap(*study, io::Channel::Post2);

    viewer::OverlayLayer layer;
    layer.volume = overlay;
    layer.threshold = 0.5;
    layer.maximum = 2.0;
    layer.opacity = 0.6;
    struct Figures {
        std::vector<double> scroll, redraw, paints, channels, firstSubtraction, firstMip;
    };
    auto measure = [&](viewer::SliceView::Display display) {
        Figures f;
        // A fresh document each time: subtractions are computed on first use, then cached.
        viewer::StudyDocument document;
        document.setStudy(study);
        const std::int64_t slices = document.sliceCount();
        viewer::SliceView view(&document);
        view.setDisplay(display);
        view.setFixedSize(viewSize, viewSize);
        view.show();
        view.setOverlay(layer);
        // Warm-up: the first frames create GL resources and the software frame buffer.
        timeFrames(view, 10, [&](int) { view.update(); });
        auto paintConn = QObject::connect(&view, &viewer::SliceView::framePainted, &view,
                                          [&] { f.paints.push_back(view.lastPaintMs()); });
        f.scroll = timeFrames(view, frames, [&](int i) {
            // Back and forth through all slices: every frame shows a new slice.
            const std::int64_t period = 2 * (slices - 1);
            const std::int64_t p = i % period;
            document.setSlice(p < slices ? p : period - p);
        });
        QObject::disconnect(paintConn);
        f.redraw = timeFrames(view, frames, [&](int) { view.update(); });
        f.channels = timeFrames(view, 60, [&](int i) {
            document.setChannel(
                io::kAllChannels[static_cast<std::size_t>((i + 1) % io::kChannelCount)]);
        });
        // First use of each subtraction (computed, its automatic window chosen), then of the
        // MIP of each: what the GUI thread does when a key 7–0 or M is pressed the first time.
        f.firstSubtraction =
            timeFrames(view, 4, [&](int i) { document.showSubtraction(i + 1, false); });
        f.firstMip = timeFrames(view, 4, [&](int i) { document.showSubtraction(i + 1, true); });
        view.hide();
        return f;
    };
    const Figures software = measure(viewer::SliceView::Display::Software);
    const Figures opengl = measure(viewer::SliceView::Display::OpenGl);

    // Breakdown of start-up: reading the study alone, in this process.
    QElapsedTimer readClock;
    readClock.start();
    const io::Study reread = io::readStudy(folder.toStdString(), {}, nullptr);
    const double readMs = static_cast<double>(readClock.nsecsElapsed()) / 1e6;

    // Cold start-up in a fresh process.
    std::vector<double> startups;
    for (int r = 0; r < 3; ++r) {
        QProcess child;
        child.setProcessChannelMode(QProcess::SeparateChannels);
        QElapsedTimer clock;
        clock.start();
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--startup-child"), folder});
        bool seen = false;
        while (!seen && child.waitForReadyRead(60000)) {
            seen = child.readAllStandardOutput().contains("FIRST_FRAME");
        }
        if (seen) {
            startups.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
        }
        child.waitForFinished(20000);
    }

    std::printf("\nbench_viewer (%s, study %lldx%lldx%lld, view %dx%d, overlay on)\n",
                qPrintable(QGuiApplication::platformName()),
                static_cast<long long>(options.size[0]), static_cast<long long>(options.size[1]),
                static_cast<long long>(options.size[2]), viewSize, viewSize);
    std::printf("  %-34s %21s %21s   %s\n", "", "software", "OpenGL (VTK)", "goal");
    std::printf("  %-34s %10s %10s %10s %10s\n", "", "median", "p95", "median", "p95");
    auto row = [](const char* what, const std::vector<double>& a, const std::vector<double>& b,
                  const char* goal) {
        std::printf("  %-34s %7.2f ms %7.2f ms %7.2f ms %7.2f ms   %s\n", what, percentile(a, 0.5),
                    percentile(a, 0.95), percentile(b, 0.5), percentile(b, 0.95), goal);
    };
    row("frame, scrolling slices", software.scroll, opengl.scroll, "p95 <= 16 ms");
    row("frame, redraw only (same slice)", software.redraw, opengl.redraw, "");
    row("  of which drawing (paint / paintGL)", software.paints, opengl.paints, "");
    row("channel switch to frame", software.channels, opengl.channels, "<= 16 ms");
    row("first subtraction to frame (4)", software.firstSubtraction, opengl.firstSubtraction, "");
    row("first MIP of it to frame (4)", software.firstMip, opengl.firstMip, "");
    if (startups.empty()) {
        std::printf("  cold start-up: the child process did not report a frame\n");
    } else {
        std::printf("  %-34s %7.0f ms (min %.0f ms of %zu)   <= 1500 ms\n",
                    "cold start-up to first study frame", percentile(startups, 0.5),
                    *std::min_element(startups.begin(), startups.end()), startups.size());
    }
    std::printf("  %-34s %7.0f ms (%s)\n", "  of which reading the study", readMs,
                reread.complete() ? "six channels" : "incomplete");
    std::printf(
        "  frames (software / OpenGL): %zu / %zu scrolling, %zu / %zu redraw, %zu / %zu "
        "channel switches\n",
        software.scroll.size(), opengl.scroll.size(), software.redraw.size(), opengl.redraw.size(),
        software.channels.size(), opengl.channels.size());
    return 0;
}
