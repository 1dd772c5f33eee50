// A user-loaded overlay in the real main window: an image on the study grid shown in hot
// colours at its bright block, the visibility toggle, the threshold control, resampling of an
// image on another grid, refusal of a corrupt file and of an image beside the study (the study
// stays open), the hand-over with the kinetic map, the projection on the MIP pane, and the
// overlay going away when another study is opened.
#include "KineticsController.h"
#include "MainWindow.h"
#include "OverlayController.h"
#include "TestSupport.h"
#include "breastmsc/io/ImageFile.h"
#include "widgets/ColorBar.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

using namespace bmsc;
namespace fs = std::filesystem;

namespace {

/// 40 × 32 × 6 voxels of 2 × 2 × 3 mm: a grey ramp along i in every channel.
io::Geometry studyGrid() {
    io::Geometry g;
    g.size = {40, 32, 6};
    g.spacing = {2.0, 2.0, 3.0};
    return g;
}

void writeStudy(const fs::path& folder) {
    io::Study study;
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(studyGrid());
        for (std::int64_t k = 0; k < 6; ++k) {
            for (std::int64_t j = 0; j < 32; ++j) {
                for (std::int64_t i = 0; i < 40; ++i) {
                    v.at(i, j, k) = 100.0f + 5.0f * static_cast<float>(i);
                }
            }
        }
        study.setChannel(c, std::move(v));
    }
    io::writeImageStudy(study, folder);
}

/// Zero with a bright block (208…215) at i, j 8…15, k 2…4 of the study grid, written on a grid
/// `factor` times coarser in i and j (same physical extent). `hotter`: also a spot of 400 at
/// i 30…33, j 20…23 of slice k 0 (fine grid only), so that the image's maximum is above the block.
/// `lastSlice` < 4 ends the block earlier (2: on slice k 2 only).
void writeOverlay(const fs::path& file, int factor, bool hotter = false, int lastSlice = 4) {
    io::Geometry g = studyGrid();
    g.size = {40 / factor, 32 / factor, 6};
    g.spacing = {2.0 * factor, 2.0 * factor, 3.0};
    // Voxel centres of the coarse grid sit between fine ones: shift so that the block's
    // edges stay at the same place.
    g.origin = {(factor - 1) * 1.0, (factor - 1) * 1.0, 0.0};
    io::Volume v(g);
    for (std::int64_t k = 2; k <= lastSlice; ++k) {
        for (std::int64_t j = 8 / factor; j < 16 / factor; ++j) {
            for (std::int64_t i = 8 / factor; i < 16 / factor; ++i) {
                v.at(i, j, k) = 200.0f + static_cast<float>(i);
            }
        }
    }
    for (std::int64_t j = 20; hotter && j < 24; ++j) {
        for (std::int64_t i = 30; i < 34; ++i) {
            v.at(i, j, 0) = 400.0f;
        }
    }
    io::writeImage(v, file);
}

/// Hot (red to yellow) pixels of the axial view: those over the block, and those over study
/// voxels well away from it (orientation labels at the edges are not counted).
std::array<int, 2> hotPixels(viewer::SliceView* view) {
    const QImage image = view->grabImage();
    const double scale = static_cast<double>(image.width()) / view->width();
    std::array<int, 2> counts{0, 0};
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            if (qRed(p) - qBlue(p) < 60 || qRed(p) < 120) {
                continue;
            }
            const auto v =
                view->sliceRenderer()->voxelAt(x / scale, y / scale, view->width(), view->height());
            if (!v) {
                continue;
            }
            const auto [i, j, k] = *v;
            const bool block = i >= 7 && i <= 16 && j >= 7 && j <= 16;
            const bool far = (i < 5 || i > 19 || j > 19) && j > 3 && j < 28 && i > 2 && i < 37;
            counts[0] += block ? 1 : 0;
            counts[1] += far ? 1 : 0;
        }
    }
    return counts;
}

struct Fixture {
    QTemporaryDir dir;
    app::MainWindow window;
    app::OverlayController* overlay = nullptr;
    viewer::SliceView* axial = nullptr;

    bool open() {
        writeStudy(test::toPath(dir.filePath("S")));
        window.findChild<QAction*>("layout_1x1")->trigger();
        window.resize(1200, 800);
        window.show();
        window.openPath(dir.filePath("S"));
        if (!QTest::qWaitFor([this] { return window.document()->hasStudy(); }, 20000)) {
            return false;
        }
        window.document()->setCursor({11, 11, 3});
        overlay = window.findChild<app::OverlayController*>("overlayController");
        axial = window.findChild<viewer::SliceView*>("sliceView");
        return overlay != nullptr && axial != nullptr;
    }
};

}  // namespace

class TestOverlayGui : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void overlayOnStudyGridShowsAndHides() {
        Fixture f;
        QVERIFY(f.open());
        QVERIFY(!f.overlay->visibleAction()->isEnabled());
        const QString file = f.dir.filePath("heat.nii.gz");
        writeOverlay(test::toPath(file), 1);
        QString error;
        QVERIFY2(f.overlay->loadOverlay(file, &error), qPrintable(error));
        QVERIFY(!f.overlay->resampled());
        QVERIFY(f.overlay->visibleAction()->isChecked());
        QCOMPARE(f.overlay->layer().colorMap, viewer::ColorMap::Hot);
        QCOMPARE(f.overlay->layer().opacity, 0.5);
        // Block values 208…215: the median of the non-zero voxels and the 99.5th percentile.
        QVERIFY(f.overlay->layer().threshold >= 211.0 && f.overlay->layer().threshold <= 212.0);
        QCOMPARE(f.overlay->layer().maximum, 215.0);
        QVERIFY(f.overlay->colorBar()->isVisible());
        QCOMPARE(f.overlay->colorBar()->labels().size(), 2);

        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 10000);
        QCOMPARE(hotPixels(f.axial)[1], 0);

        QCOMPARE(f.overlay->visibleAction()->shortcut(), QKeySequence(Qt::Key_O));
        f.overlay->visibleAction()->trigger();
        QVERIFY(!f.overlay->visibleAction()->isChecked());
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(f.axial)[0], 0, 10000);
        QVERIFY(!f.overlay->colorBar()->isVisible());
        f.overlay->visibleAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 10000);

        f.window.findChild<QAction*>("action_removeOverlay")->trigger();
        QVERIFY(f.overlay->layer().volume == nullptr);
        QVERIFY(!f.overlay->visibleAction()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(f.axial)[0], 0, 10000);
    }

    void thresholdHidesAndShowsVoxels() {
        Fixture f;
        QVERIFY(f.open());
        auto* threshold = f.window.findChild<QDoubleSpinBox*>("overlayThreshold");
        QVERIFY(threshold != nullptr);
        QVERIFY(!threshold->isEnabled());  // nothing loaded yet
        const QString file = f.dir.filePath("hotter.nii.gz");
        writeOverlay(test::toPath(file), 1, true);
        QString error;
        QVERIFY2(f.overlay->loadOverlay(file, &error), qPrintable(error));
        QVERIFY(threshold->isEnabled());
        // From the image's minimum to its maximum, starting at the automatic threshold.
        QCOMPARE(threshold->minimum(), 0.0);
        QCOMPARE(threshold->maximum(), 400.0);
        const double automatic = f.overlay->layer().threshold;
        QVERIFY(automatic >= 208.0 && automatic <= 215.0);
        QCOMPARE(threshold->value(), automatic);
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 10000);

        // Above every voxel of the block (208…215): none of it is drawn.
        threshold->setValue(300.0);
        QCOMPARE(f.overlay->layer().threshold, 300.0);
        QVERIFY(f.overlay->layer().maximum > 300.0);
        QCOMPARE(f.overlay->colorBar()->labels().value(0), QStringLiteral("300"));
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(f.axial)[0], 0, 10000);

        // Below every voxel of the block: all of it is back, and the zeros around stay clear.
        threshold->setValue(205.0);
        QCOMPARE(f.overlay->layer().threshold, 205.0);
        QCOMPARE(f.overlay->layer().maximum, 400.0);
        QCOMPARE(f.overlay->colorBar()->labels().value(0), QStringLiteral("205"));
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 10000);
        QCOMPARE(hotPixels(f.axial)[1], 0);

        // Another overlay starts again at its own automatic threshold.
        const QString heat = f.dir.filePath("heat.nii.gz");
        writeOverlay(test::toPath(heat), 1);
        QVERIFY(f.overlay->loadOverlay(heat));
        QCOMPARE(threshold->maximum(), 215.0);
        QVERIFY(threshold->value() >= 211.0 && threshold->value() <= 212.0);
        QCOMPARE(f.overlay->layer().maximum, 215.0);
        f.window.findChild<QAction*>("action_removeOverlay")->trigger();
        QVERIFY(!threshold->isEnabled());
    }

    void overlayOnOtherGridIsResampled() {
        Fixture f;
        QVERIFY(f.open());
        const QString file = f.dir.filePath("coarse.nii.gz");
        writeOverlay(test::toPath(file), 2);
        QString error;
        QVERIFY2(f.overlay->loadOverlay(file, &error), qPrintable(error));
        QVERIFY(f.overlay->resampled());
        QVERIFY(f.overlay->layer().volume->geometry().sameGrid(studyGrid()));
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 20, 10000);
        QCOMPARE(hotPixels(f.axial)[1], 0);
    }

    void badFilesAreRefusedAndStudyStays() {
        Fixture f;
        QVERIFY(f.open());
        const io::Study* study = f.window.document()->study();

        const QString corrupt = f.dir.filePath("x.nii.gz");
        QFile out(corrupt);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray(3000, '\x5a'));
        out.close();
        QString error;
        QVERIFY(!f.overlay->loadOverlay(corrupt, &error));
        QVERIFY2(error.contains(QStringLiteral("x.nii.gz")), qPrintable(error));
        QVERIFY(f.overlay->layer().volume == nullptr);

        // A valid image beside the study, not over it.
        const QString beside = f.dir.filePath("beside.nii.gz");
        io::Geometry g = studyGrid();
        g.origin = {5000.0, 0.0, 0.0};
        io::writeImage(io::Volume(g, 1.0f), test::toPath(beside));
        QVERIFY(!f.overlay->loadOverlay(beside, &error));
        QVERIFY2(error.contains(QStringLiteral("beside.nii.gz")), qPrintable(error));
        QVERIFY(f.overlay->layer().volume == nullptr);

        QVERIFY(!f.overlay->loadOverlay(f.dir.filePath("missing.nii.gz"), &error));
        QVERIFY2(error.contains(QStringLiteral("missing.nii.gz")), qPrintable(error));

        QVERIFY(f.window.document()->hasStudy());
        QCOMPARE(f.window.document()->study(), study);
    }

    /// The dialog's path: the file is read on a worker, the result shown when it arrives; a
    /// bad file opens a message box naming it; another study opened meanwhile drops the result.
    void backgroundLoad() {
        Fixture f;
        QVERIFY(f.open());
        const QString file = f.dir.filePath("heat.nii.gz");
        writeOverlay(test::toPath(file), 2);  // resampled too: the slowest path
        QSignalSpy finished(f.overlay, &app::OverlayController::loadFinished);
        f.overlay->loadOverlayInBackground(file);
        QVERIFY(f.overlay->loading());
        QVERIFY(f.overlay->layer().volume == nullptr);  // not yet: the GUI thread went on
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QVERIFY(!f.overlay->loading());
        QVERIFY(f.overlay->layer().volume != nullptr);
        QVERIFY(f.overlay->resampled());
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 5000);

        const QString corrupt = f.dir.filePath("x.nii.gz");
        QFile out(corrupt);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray(3000, '\x5a'));
        out.close();
        f.overlay->loadOverlayInBackground(corrupt);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
        QCOMPARE(finished.at(1).at(0).toBool(), false);
        QVERIFY(finished.at(1).at(1).toString().contains(QStringLiteral("x.nii.gz")));
        QMessageBox* box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (box = f.window.findChild<QMessageBox*>()) != nullptr && box->isVisible(), 5000);
        QVERIFY(box->text().contains(QStringLiteral("x.nii.gz")));
        box->accept();
        QVERIFY(f.overlay->layer().volume != nullptr);  // the shown overlay stays

        // Another study opened while a load runs: its result is dropped.
        f.overlay->removeOverlay();
        f.overlay->loadOverlayInBackground(file);
        f.window.document()->setStudy(nullptr);
        QVERIFY(!f.overlay->loading());
        // The worker ends, its result is delivered (queued) and dropped.
        QVERIFY(QThreadPool::globalInstance()->waitForDone(20000));
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QVERIFY(f.overlay->layer().volume == nullptr);
        QCOMPARE(finished.count(), 2);
    }

    void kineticMapAndOverlayTakeTurns() {
        Fixture f;
        QVERIFY(f.open());
        const QString file = f.dir.filePath("heat.nii.gz");
        writeOverlay(test::toPath(file), 1);
        QVERIFY(f.overlay->loadOverlay(file));
        QAction* kinetic = f.window.findChild<QAction*>("action_kineticMap");
        QVERIFY(kinetic != nullptr && kinetic->isEnabled());

        kinetic->trigger();  // the kinetic map turned on last wins
        QVERIFY(kinetic->isChecked());
        QVERIFY(!f.overlay->visibleAction()->isChecked());
        QVERIFY(f.overlay->layer().volume != nullptr);  // still loaded
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(f.axial)[0], 0, 10000);

        f.overlay->visibleAction()->trigger();
        QVERIFY(f.overlay->visibleAction()->isChecked());
        QVERIFY(!kinetic->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 10000);
    }

    void mipPaneShowsProjectionOfOverlay() {
        Fixture f;
        QVERIFY(f.open());
        f.window.findChild<QAction*>("layout_2x2")->trigger();
        auto* mip = f.window.findChild<viewer::SliceView*>("mipView");
        QVERIFY(mip != nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(mip->isVisible(), 10000);
        const QString file = f.dir.filePath("one-slice.nii.gz");
        writeOverlay(test::toPath(file), 1, false, 2);  // the block on slice k 2 only
        QString error;
        QVERIFY2(f.overlay->loadOverlay(file, &error), qPrintable(error));
        // The axial view is on slice 3, past the block; the MIP projects through all slices.
        QCOMPARE(f.window.document()->slice(), std::int64_t{3});
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(mip)[0] > 50, 10000);
        QCOMPARE(hotPixels(mip)[1], 0);
        QCOMPARE(hotPixels(f.axial)[0], 0);

        f.overlay->visibleAction()->trigger();  // O
        QVERIFY(!f.overlay->visibleAction()->isChecked());
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(mip)[0], 0, 10000);
        f.overlay->visibleAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(mip)[0] > 50, 10000);

        // The main view showing a MIP draws the projection too.
        f.window.document()->showSubtraction(1, true);
        QTRY_VERIFY_WITH_TIMEOUT(hotPixels(f.axial)[0] > 50, 10000);
        QCOMPARE(hotPixels(f.axial)[1], 0);
        f.window.document()->setChannel(io::Channel::Pre);  // back to slice 3: none
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(f.axial)[0], 0, 10000);
    }

    void anotherStudyRemovesOverlay() {
        Fixture f;
        QVERIFY(f.open());
        const QString file = f.dir.filePath("heat.nii.gz");
        writeOverlay(test::toPath(file), 1);
        QVERIFY(f.overlay->loadOverlay(file));
        const io::Study* first = f.window.document()->study();
        writeStudy(test::toPath(f.dir.filePath("T")));
        f.window.openPath(f.dir.filePath("T"));
        QTRY_VERIFY_WITH_TIMEOUT(f.window.document()->study() != first, 20000);
        QVERIFY(f.overlay->layer().volume == nullptr);
        QVERIFY(!f.overlay->visibleAction()->isChecked());
        f.window.document()->setCursor({11, 11, 3});
        QTRY_COMPARE_WITH_TIMEOUT(hotPixels(f.axial)[0], 0, 10000);
    }
};

QTEST_MAIN(TestOverlayGui)
#include "TestOverlayGui.moc"
