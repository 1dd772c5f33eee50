// SliceRenderer drawn offscreen at a fixed size and compared with tests/baselines/*.png:
// axial, coronal and sagittal views of a small generated study, with and without overlays.
// Each view is drawn both ways: by VTK (baseline NAME.png) and on the CPU by paint() (baseline
// raster-NAME.png), and the two pictures are compared with each other as well.
// Tolerance against a baseline: mean absolute difference ≤ 1.5 levels per channel and ≤ 0.5 %
// of pixels differing by more than 16 levels in any channel (room for rasteriser/font
// differences between Mesa versions, none for a flipped, shifted or recoloured view).
// Between VTK and the CPU: mean ≤ 3 levels and ≤ 3 % of pixels (their fonts differ, and
// interpolation rounds differently), still none for a flipped, shifted or recoloured view.
// Regenerate the baselines with BMSC_UPDATE_BASELINES=1 (then look at them).
#include "breastmsc/io/SyntheticCohort.h"
#include "model/Subtractions.h"
#include "render/SliceRenderer.h"

#include <QDir>
#include <QImage>
#include <QtTest>

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include <cmath>
#include <cstdlib>

using namespace bmsc;
using viewer::SliceRenderer;
using viewer::ViewAxis;

namespace {

constexpr int kSize = 256;

std::shared_ptr<const io::Study> makeStudy() {
    io::SyntheticOptions options;
    options.patients = 1;
    options.seed = 11;
    options.size = {96, 96, 12};
    options.t2OwnGrid = false;
    return std::make_shared<const io::Study>(io::generateSyntheticPatient(options, 0).study);
}

/// A small kinetic map of the study: 1 persistent, 2 plateau, 3 washout where the early
/// relative enhancement exceeds 50 % (the viewer's kinetic-map overlay computes it properly).
/// Signal below which a voxel counts as air/background (no relative enhancement there).
float tissueFloor(const io::Study& s) {
    return static_cast<float>(0.25 * viewer::automaticWindow(s.channel(io::Channel::Pre)).center);
}

std::shared_ptr<const io::Volume> kineticMap(const io::Study& s) {
    const float floor = tissueFloor(s);
    auto map = std::make_shared<io::Volume>(s.geometry());
    const auto pre = s.channel(io::Channel::Pre).voxels();
    const auto early = s.channel(io::Channel::Post1).voxels();
    const auto late = s.channel(io::Channel::Post4).voxels();
    auto out = map->voxels();
    for (std::size_t n = 0; n < out.size(); ++n) {
        const double base = pre[n];
        if (base < floor || (early[n] - base) / base < 0.5) {
            continue;
        }
        const double change = (late[n] - early[n]) / std::max(early[n], 1.0f);
        out[n] = change > 0.1 ? 1.0f : (change < -0.1 ? 3.0f : 2.0f);
    }
    return map;
}

std::shared_ptr<const io::Volume> enhancement(const io::Study& s) {
    const float floor = tissueFloor(s);
    auto map = std::make_shared<io::Volume>(s.geometry());
    const auto pre = s.channel(io::Channel::Pre).voxels();
    const auto post = s.channel(io::Channel::Post2).voxels();
    auto out = map->voxels();
    for (std::size_t n = 0; n < out.size(); ++n) {
        out[n] = pre[n] < floor ? 0.0f : (post[n] - pre[n]) / pre[n];
    }
    return map;
}

/// One offscreen window (one X connection) for all renders: opening a connection per render
/// can exhaust a busy X server.
vtkRenderWindow* sharedWindow() {
    static vtkNew<vtkRenderWindow> window;
    static const bool configured = [] {
        window->SetOffScreenRendering(1);
        window->SetMultiSamples(0);
        window->SetSize(kSize, kSize);
        return true;
    }();
    (void)configured;
    return window;
}

QImage render(SliceRenderer& renderer) {
    vtkRenderWindow* window = sharedWindow();
    renderer.attach(window);
    renderer.fitToViewport(kSize, kSize);
    window->Render();
    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff();
    grab->Update();
    vtkImageData* data = grab->GetOutput();
    int dims[3];
    data->GetDimensions(dims);
    auto* px = static_cast<unsigned char*>(data->GetScalarPointer());
    QImage image(dims[0], dims[1], QImage::Format_RGB888);
    for (int y = 0; y < dims[1]; ++y) {  // VTK rows run bottom-up
        std::memcpy(image.scanLine(dims[1] - 1 - y),
                    px + static_cast<std::ptrdiff_t>(y) * dims[0] * 3,
                    static_cast<std::size_t>(dims[0]) * 3);
    }
    renderer.renderer()->ReleaseGraphicsResources(window);
    window->RemoveRenderer(renderer.renderer());
    return image;
}

struct Difference {
    double mean = 0.0;      ///< mean absolute difference per channel, in levels
    double fraction = 0.0;  ///< of pixels with a channel more than 16 levels off
};

Difference difference(const QImage& actual, const QImage& expected) {
    double sum = 0.0;
    std::int64_t differing = 0;
    for (int y = 0; y < actual.height(); ++y) {
        const uchar* a = actual.constScanLine(y);
        const uchar* b = expected.constScanLine(y);
        for (int x = 0; x < actual.width(); ++x) {
            int worst = 0;
            for (int c = 0; c < 3; ++c) {
                const int d = std::abs(int{a[3 * x + c]} - int{b[3 * x + c]});
                sum += d;
                worst = std::max(worst, d);
            }
            differing += worst > 16 ? 1 : 0;
        }
    }
    const double pixels = static_cast<double>(actual.width()) * actual.height();
    return {sum / (3.0 * pixels), static_cast<double>(differing) / pixels};
}

void compareWithBaseline(const QImage& actual, const QString& name) {
    const QString baseline = QStringLiteral(BMSC_TEST_SOURCE_DIR "/baselines/%1.png").arg(name);
    if (qEnvironmentVariableIntValue("BMSC_UPDATE_BASELINES") == 1) {
        QVERIFY2(actual.save(baseline), qPrintable(baseline));
        qInfo("wrote baseline %s", qPrintable(baseline));
        return;
    }
    const QString outDir = QStringLiteral(BMSC_TEST_BINARY_DIR "/viewer/actual");
    QDir().mkpath(outDir);
    const QString actualPath = outDir + QLatin1Char('/') + name + QStringLiteral(".png");
    QImage expected(baseline);
    if (expected.isNull()) {
        actual.save(actualPath);
        QFAIL(qPrintable(QStringLiteral("missing baseline %1; actual image written to %2 "
                                        "(BMSC_UPDATE_BASELINES=1 creates baselines)")
                             .arg(baseline, actualPath)));
    }
    expected = expected.convertToFormat(QImage::Format_RGB888);
    if (expected.size() != actual.size()) {
        actual.save(actualPath);
        QFAIL(qPrintable(
            QStringLiteral("size differs from %1; actual image: %2").arg(baseline, actualPath)));
    }
    const auto [mean, fraction] = difference(actual, expected);
    if (mean > 1.5 || fraction > 0.005) {
        actual.save(actualPath);
        QFAIL(qPrintable(QStringLiteral("%1 differs from %2: mean |diff| %3 levels (max 1.5), "
                                        "%4 % of pixels > 16 levels (max 0.5 %); actual image: %5")
                             .arg(name, baseline)
                             .arg(mean, 0, 'f', 2)
                             .arg(100.0 * fraction, 0, 'f', 2)
                             .arg(actualPath)));
    }
}

/// The view drawn on the CPU (SliceRenderer::paint) at the test size, as RGB888.
QImage raster(SliceRenderer& renderer) {
    renderer.fitToViewport(kSize, kSize);
    return renderer.renderImage(kSize, kSize).convertToFormat(QImage::Format_RGB888);
}

/// Both drawings of the view against their baselines (NAME.png, raster-NAME.png) and against
/// each other; returns the VTK drawing.
QImage checkView(SliceRenderer& renderer, const QString& name) {
    const QImage vtk = render(renderer);
    compareWithBaseline(vtk, name);
    const QImage cpu = raster(renderer);
    compareWithBaseline(cpu, QStringLiteral("raster-") + name);
    const auto [mean, fraction] = difference(cpu, vtk);
    if (mean > 3.0 || fraction > 0.03) {
        const QString outDir = QStringLiteral(BMSC_TEST_BINARY_DIR "/viewer/actual");
        QDir().mkpath(outDir);
        vtk.save(outDir + QStringLiteral("/vtk-") + name + QStringLiteral(".png"));
        cpu.save(outDir + QStringLiteral("/raster-") + name + QStringLiteral(".png"));
        qWarning("%s: VTK and CPU drawings differ", qPrintable(name));
    }
    [&] {
        QVERIFY2(mean <= 3.0 && fraction <= 0.03,
                 qPrintable(QStringLiteral("%1: the CPU drawing differs from VTK's: mean |diff| "
                                           "%2 levels (max 3), %3 % of pixels > 16 levels (max "
                                           "3 %); both written to %4/viewer/actual")
                                .arg(name)
                                .arg(mean, 0, 'f', 2)
                                .arg(100.0 * fraction, 0, 'f', 2)
                                .arg(QStringLiteral(BMSC_TEST_BINARY_DIR))));
    }();
    return vtk;
}

/// Mean grey level of a rectangle of the image.
double meanLevel(const QImage& image, const QRect& r) {
    double sum = 0.0;
    for (int y = r.top(); y <= r.bottom(); ++y) {
        for (int x = r.left(); x <= r.right(); ++x) {
            sum += qGray(image.pixel(x, y));
        }
    }
    return sum / (r.width() * r.height());
}

}  // namespace

class TestSliceRenderer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(qEnvironmentVariableIsSet("DISPLAY"),
                 "rendering tests need an X server: run them under Xvfb (see README)");
        study_ = makeStudy();
    }

    void orientationLabelsAndPicking() {
        SliceRenderer axial(ViewAxis::Axial);
        axial.setStudy(study_);
        axial.fitToViewport(kSize, kSize);
        const auto labels = axial.orientationLabels();  // left, right, top, bottom
        QCOMPARE(QString::fromStdString(labels[0] + labels[1] + labels[2] + labels[3]),
                 QStringLiteral("RLAP"));
        QCOMPARE(axial.slice(), std::int64_t{6});
        // Radiological convention: i (→ patient's left) runs to the right, j (→ posterior) down.
        const auto topLeft = axial.voxelAt(1, 1, kSize, kSize);
        QVERIFY(topLeft.has_value());
        QCOMPARE((*topLeft)[0], std::int64_t{0});
        QCOMPARE((*topLeft)[1], std::int64_t{0});
        QCOMPARE((*topLeft)[2], std::int64_t{6});
        const auto bottomRight = axial.voxelAt(kSize - 1, kSize - 1, kSize, kSize);
        QVERIFY(bottomRight.has_value());
        QCOMPARE((*bottomRight)[0], std::int64_t{95});
        QCOMPARE((*bottomRight)[1], std::int64_t{95});
        // Wide viewport: the image is centred, the margins are outside.
        axial.fitToViewport(2 * kSize, kSize);
        QVERIFY(!axial.voxelAt(10, kSize / 2, 2 * kSize, kSize).has_value());
        QVERIFY(axial.voxelAt(kSize, kSize / 2, 2 * kSize, kSize).has_value());

        SliceRenderer coronal(ViewAxis::Coronal);
        coronal.setStudy(study_);
        const auto c = coronal.orientationLabels();
        QCOMPARE(QString::fromStdString(c[0] + c[1] + c[2] + c[3]), QStringLiteral("RLSI"));
        SliceRenderer sagittal(ViewAxis::Sagittal);
        sagittal.setStudy(study_);
        const auto s = sagittal.orientationLabels();
        QCOMPARE(QString::fromStdString(s[0] + s[1] + s[2] + s[3]), QStringLiteral("APSI"));
        QCOMPARE(sagittal.sliceCount(), std::int64_t{96});
    }

    void zoomAndPanKeepPicking() {
        // Pure camera arithmetic: the voxel under the zoom point stays under it, pan moves the
        // image with the mouse, reset returns to the fitted view.
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        r.fitToViewport(kSize, kSize);
        const double x = 70.0;
        const double y = 90.0;
        const auto before = r.voxelAt(x, y, kSize, kSize);
        const auto corner = r.voxelAt(1, 1, kSize, kSize);
        QVERIFY(before.has_value() && corner.has_value());
        r.zoomAbout(2.0, x, y, kSize, kSize);
        QCOMPARE(r.zoom(), 2.0);
        QCOMPARE(r.voxelAt(x, y, kSize, kSize), before);
        // Twice the magnification: the corner pixel now shows a voxel nearer the zoom point.
        const auto zoomedCorner = r.voxelAt(1, 1, kSize, kSize);
        QVERIFY(zoomedCorner.has_value());
        QVERIFY(zoomedCorner != corner);
        QVERIFY(std::abs((*zoomedCorner)[0] - (*before)[0]) <
                std::abs((*corner)[0] - (*before)[0]));
        // 96 voxels over 256 pixels at zoom 1: 2×2.67 pixels per voxel at zoom 2. A pan by 32
        // pixels to the right moves the image 6 voxels with the mouse.
        r.panBy(32.0, 0.0, kSize);
        const auto panned = r.voxelAt(x + 32.0, y, kSize, kSize);
        QVERIFY(panned.has_value());
        QVERIFY2(std::abs((*panned)[0] - (*before)[0]) <= 1,
                 qPrintable(QStringLiteral("%1 vs %2").arg((*panned)[0]).arg((*before)[0])));
        QCOMPARE((*panned)[1], (*before)[1]);
        // The zoom holds while scrolling slices; reset fits again.
        r.setSlice(3);
        QCOMPARE(r.zoom(), 2.0);
        r.resetView();
        QCOMPARE(r.zoom(), 1.0);
        auto refit = r.voxelAt(1, 1, kSize, kSize);
        QVERIFY(refit.has_value());
        QCOMPARE((*refit)[0], (*corner)[0]);
        QCOMPARE((*refit)[1], (*corner)[1]);
        // Zoom is clamped: never so small that the image vanishes, never inverted.
        r.zoomAbout(1e-6, x, y, kSize, kSize);
        QCOMPARE(r.zoom(), 0.25);
        r.zoomAbout(1e9, x, y, kSize, kSize);
        QCOMPARE(r.zoom(), 32.0);
        // Zoomed renders differ from the fitted view.
        r.resetView();
        r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Pre)));
        const QImage fitted = render(r);
        r.zoomAbout(3.0, kSize / 2.0, kSize / 2.0, kSize, kSize);
        QVERIFY(render(r) != fitted);
    }

    void axialPre() {
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Pre)));
        r.setInfoText("pre  slice 7/12");
        const QImage image = checkView(r, QStringLiteral("axial-pre"));
        QCOMPARE(image.size(), QSize(kSize, kSize));
        // Not blank, and the breasts (anterior: top half) hold tissue signal.
        QVERIFY(meanLevel(image, QRect(40, 40, 176, 60)) > 20.0);
        QVERIFY(meanLevel(raster(r), QRect(40, 40, 176, 60)) > 20.0);
    }

    void axialWindowChangesImage() {
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        const auto w = viewer::automaticWindow(study_->channel(io::Channel::Pre));
        r.setWindow(w);
        const double normal = meanLevel(render(r), QRect(20, 20, 216, 216));
        r.setWindow({w.center + w.width / 2, w.width});  // darker
        const double darker = meanLevel(render(r), QRect(20, 20, 216, 216));
        QVERIFY2(darker < normal - 5.0,
                 qPrintable(QStringLiteral("%1 vs %2").arg(darker).arg(normal)));
    }

    void axialEnhancementOverlay() {
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        r.setChannel(io::Channel::Post2);
        r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Post2)));
        viewer::OverlayLayer overlay;
        overlay.volume = enhancement(*study_);
        overlay.colorMap = viewer::ColorMap::Hot;
        overlay.threshold = 0.5;
        overlay.maximum = 2.0;
        overlay.opacity = 0.6;
        r.setOverlay(overlay);
        const QImage withOverlay = checkView(r, QStringLiteral("axial-post2-enhancement"));
        const QImage rasterWith = raster(r);
        overlay.visible = false;
        r.setOverlay(overlay);
        const QImage without = render(r);
        QVERIFY(withOverlay != without);
        QVERIFY(rasterWith != raster(r));
    }

    void axialKineticMap() {
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        r.setChannel(io::Channel::Post1);
        r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Post1)));
        viewer::OverlayLayer overlay;
        overlay.volume = kineticMap(*study_);
        overlay.colorMap = viewer::ColorMap::Kinetic;
        overlay.opacity = 0.7;
        r.setOverlay(overlay);
        checkView(r, QStringLiteral("axial-post1-kinetic"));
    }

    void overlaySetAfterRenderingShowsTheCurrentSlice() {
        // A view first drawn without an overlay on slice 7, then given a map that is washout on
        // slice 7 only: the map must be drawn on slice 7 (not on slice 0, where the overlay
        // mapper clamped its slice while it had no input).
        constexpr std::int64_t kSlice = 7;
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        r.setSlice(kSlice);
        r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Pre)));
        const QImage before = render(r);
        auto map = std::make_shared<io::Volume>(study_->geometry());
        const auto& size = study_->geometry().size;
        for (std::int64_t j = 0; j < size[1]; ++j) {
            for (std::int64_t i = 0; i < size[0]; ++i) {
                map->at(i, j, kSlice) = 3.0f;  // washout, red
            }
        }
        viewer::OverlayLayer overlay;
        overlay.volume = map;
        overlay.colorMap = viewer::ColorMap::Kinetic;
        overlay.opacity = 1.0;
        r.setOverlay(overlay);
        QCOMPARE(r.slice(), kSlice);
        for (const QImage& after : {render(r), raster(r)}) {
            int red = 0;
            for (int y = 0; y < after.height(); ++y) {
                for (int x = 0; x < after.width(); ++x) {
                    const QRgb p = after.pixel(x, y);
                    red += qRed(p) - qGreen(p) > 80 && qRed(p) - qBlue(p) > 80 ? 1 : 0;
                }
            }
            // The whole slice is washout: most of the viewport is red.
            QVERIFY2(red > kSize * kSize / 2, qPrintable(QString::number(red)));
            QVERIFY(after != before);
        }
    }

    void coronalAndSagittal() {
        for (const ViewAxis axis : {ViewAxis::Coronal, ViewAxis::Sagittal}) {
            SliceRenderer r(axis);
            r.setStudy(study_);
            r.setSlice(30);  // coronal: through both breasts; sagittal: the right breast
            r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Pre)));
            checkView(r, axis == ViewAxis::Coronal ? QStringLiteral("coronal-pre")
                                                   : QStringLiteral("sagittal-pre"));
        }
    }

    void crosshair() {
        // The linked crosshair through voxel (30, 40, 6) in the axial and the coronal view.
        for (const ViewAxis axis : {ViewAxis::Axial, ViewAxis::Coronal}) {
            SliceRenderer r(axis);
            r.setStudy(study_);
            r.setSlice(axis == ViewAxis::Axial ? 6 : 40);
            r.setWindow(viewer::automaticWindow(study_->channel(io::Channel::Pre)));
            r.setCrosshair(io::Index3{30, 40, 6});
            const QImage with =
                checkView(r, axis == ViewAxis::Axial ? QStringLiteral("axial-crosshair")
                                                     : QStringLiteral("coronal-crosshair"));
            const QImage rasterWith = raster(r);
            r.setCrosshair(std::nullopt);
            QVERIFY(render(r) != with);
            QVERIFY(raster(r) != rasterWith);
        }
    }

    void cleanupTestCase() { sharedWindow()->Finalize(); }

    void subtractionAndMip() {
        viewer::Subtractions derived(study_);
        SliceRenderer r(ViewAxis::Axial);
        r.setStudy(study_);
        r.setDisplayVolume(derived.subtraction(1));
        r.setWindow(viewer::automaticWindow(*derived.subtraction(1)));
        checkView(r, QStringLiteral("axial-sub1"));
        r.setDisplayVolume(derived.mip(1));
        QCOMPARE(r.sliceCount(), std::int64_t{1});
        r.setSlice(6);
        QCOMPARE(r.slice(), std::int64_t{0});  // a MIP has one slice
        r.setWindow(viewer::automaticWindow(*derived.mip(1)));
        checkView(r, QStringLiteral("axial-mip-sub1"));
        r.setDisplayVolume(nullptr);  // back to the channel and its slices
        QCOMPARE(r.sliceCount(), std::int64_t{12});
    }

private:
    std::shared_ptr<const io::Study> study_;
};

QTEST_MAIN(TestSliceRenderer)
#include "TestSliceRenderer.moc"
