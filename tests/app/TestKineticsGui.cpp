// The kinetics in the real main window: the curve type under the crosshair and the mouse, the
// kinetic map on the views with its colour bar, the threshold, the map on the MIP pane, and
// the map going away when another study is opened.
#include "KineticsController.h"
#include "MainWindow.h"
#include "OpenStudy.h"
#include "TestSupport.h"
#include "breastmsc/io/ImageFile.h"
#include "widgets/ColorBar.h"
#include "widgets/KineticPanel.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace bmsc;
namespace fs = std::filesystem;

namespace {

using Signals = std::array<float, io::kDynamicChannelCount>;

constexpr Signals kTissue{200, 220, 228, 235, 240};      // slow / plateau (+10 %, +9 %)
constexpr Signals kWashout{200, 500, 480, 440, 400};     // fast / washout (+150 %, −20 %)
constexpr Signals kPersistent{200, 340, 370, 400, 420};  // medium / persistent (+70 %, +24 %)
constexpr Signals kAir{2, 3, 2, 3, 2};                   // background: no baseline
constexpr io::Index3 kWashoutCentre{11, 11, 3};          // lesion i, j 8…15, k 2…4
constexpr io::Index3 kPersistentCentre{27, 19, 3};       // lesion i 24…31, j 16…23, k 2…4
constexpr io::Index3 kAirVoxel{20, 1, 3};                // rows j < 4

/// 40 × 32 × 6 voxels: tissue with two lesions of known kinetics and a strip of air.
io::Study makeStudy() {
    io::Geometry g;
    g.size = {40, 32, 6};
    g.spacing = {2.0, 2.0, 3.0};
    io::Study study;
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(g);
        const auto p = static_cast<std::size_t>(c);
        for (std::int64_t k = 0; k < g.size[2]; ++k) {
            for (std::int64_t j = 0; j < g.size[1]; ++j) {
                for (std::int64_t i = 0; i < g.size[0]; ++i) {
                    const bool lesionK = k >= 2 && k <= 4;
                    const Signals& s =
                        j < 4                                                 ? kAir
                        : lesionK && i >= 8 && i <= 15 && j >= 8 && j <= 15   ? kWashout
                        : lesionK && i >= 24 && i <= 31 && j >= 16 && j <= 23 ? kPersistent
                                                                              : kTissue;
                    v.at(i, j, k) = c == io::Channel::T2 ? 300.0f : s[p];
                }
            }
        }
        study.setChannel(c, std::move(v));
    }
    return study;
}

void writeStudy(const fs::path& folder) {
    io::writeImageStudy(makeStudy(), folder);
}

/// Pixels of the view drawn in the map's washout red / persistent blue (over grey).
std::array<int, 2> redAndBluePixels(viewer::SliceView* view) {
    const QImage image = view->grabImage();
    std::array<int, 2> counts{0, 0};
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            counts[0] += qRed(p) - qGreen(p) > 80 && qRed(p) - qBlue(p) > 80 ? 1 : 0;
            counts[1] += qBlue(p) - qRed(p) > 80 ? 1 : 0;
        }
    }
    return counts;
}

/// The widget position at the middle of voxel (i, j) of the current slice in the view.
QPoint pixelOf(viewer::SliceView* view, std::int64_t i, std::int64_t j) {
    QPoint sum;
    int n = 0;
    for (int y = 0; y < view->height(); ++y) {
        for (int x = 0; x < view->width(); ++x) {
            const auto v = view->sliceRenderer()->voxelAt(x, y, view->width(), view->height());
            if (v && (*v)[0] == i && (*v)[1] == j) {
                sum += QPoint(x, y);
                ++n;
            }
        }
    }
    return n == 0 ? QPoint(-1, -1) : sum / n;
}

}  // namespace

class TestKineticsGui : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void curveTypeFollowsCrosshairAndMouse() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        app::MainWindow window;
        window.findChild<QAction*>("layout_1x1")->trigger();
        window.resize(1200, 800);
        QVERIFY(bmsc::test::openStudy(window, dir.filePath("S")));

        auto* panel = window.findChild<viewer::KineticPanel*>("kineticPanel");
        auto* type = window.findChild<QLabel*>("kineticCurveType");
        auto* details = window.findChild<QLabel*>("kineticCurveDetails");
        QVERIFY(panel != nullptr && type != nullptr && details != nullptr);
        QVERIFY(panel->isVisible());

        window.document()->setCursor(kWashoutCentre);
        QTRY_COMPARE(type->text(), QStringLiteral("fast / washout"));
        QVERIFY2(details->text().contains(QStringLiteral("+150 %")) &&
                     details->text().contains(QStringLiteral("-20 %")),
                 qPrintable(details->text()));
        // The chart shows the curve in %: phase numbers (no times in NIfTI), post1 at +150 %.
        const QList<QPointF> points = panel->points();
        QCOMPARE(points.size(), 5);
        QCOMPARE(points[1], QPointF(1.0, 150.0));
        QCOMPARE(points[4], QPointF(4.0, 100.0));

        window.document()->setCursor(kPersistentCentre);
        QTRY_COMPARE(type->text(), QStringLiteral("medium / persistent"));
        window.document()->setCursor({30, 28, 0});
        QTRY_COMPARE(type->text(), QStringLiteral("slow / plateau"));
        window.document()->setCursor(kAirVoxel);
        QTRY_COMPARE(type->text(), QStringLiteral("no baseline"));

        // Hovering shows the voxel under the mouse; leaving the image returns to the crosshair.
        window.document()->setCursor(kWashoutCentre);
        QTRY_COMPARE(type->text(), QStringLiteral("fast / washout"));
        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QVERIFY(view != nullptr);
        const QPoint over = pixelOf(view, kPersistentCentre[0], kPersistentCentre[1]);
        QVERIFY(over.x() >= 0);
        QTest::mouseMove(view, over);
        QTRY_COMPARE(type->text(), QStringLiteral("medium / persistent"));
        QVERIFY2(details->text().startsWith(QStringLiteral("Mouse (27, 19, 3)")),
                 qPrintable(details->text()));
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(view, &leave);
        QTRY_COMPARE(type->text(), QStringLiteral("fast / washout"));
        QVERIFY2(details->text().startsWith(QStringLiteral("Crosshair (11, 11, 3)")),
                 qPrintable(details->text()));
    }

    void kineticMapOnTheMipPane() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        app::MainWindow window;
        window.findChild<QAction*>("layout_2x2")->trigger();
        window.resize(1200, 800);
        QVERIFY(bmsc::test::openStudy(window, dir.filePath("S")));
        window.document()->setCursor({20, 28, 0});  // axial slice 0: no lesion on it
        auto* axial = window.findChild<viewer::SliceView*>("sliceView");
        auto* mip = window.findChild<viewer::SliceView*>("mipView");
        QVERIFY(axial != nullptr && mip != nullptr);
        QTRY_VERIFY(mip->isVisible());

        window.findChild<QAction*>("action_kineticMap")->trigger();
        // Each MIP pixel has the category of the voxel it comes from (the subtraction's
        // brightest in its column): the lesions on slices 2…4 show through, each in its colour.
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(mip)[0] > 50, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(mip)[1] > 50, 10000);
        const QImage image = mip->grabImage();
        const double scale = image.width() / static_cast<double>(mip->width());
        const QPoint washout = pixelOf(mip, kWashoutCentre[0], kWashoutCentre[1]) * scale;
        const QPoint persistent = pixelOf(mip, kPersistentCentre[0], kPersistentCentre[1]) * scale;
        QVERIFY(qRed(image.pixel(washout)) - qBlue(image.pixel(washout)) > 80);
        QVERIFY(qBlue(image.pixel(persistent)) - qRed(image.pixel(persistent)) > 80);
        const auto onSlice = redAndBluePixels(axial);
        QVERIFY(onSlice[0] < 5 && onSlice[1] < 5);

        window.findChild<QAction*>("action_kineticMap")->trigger();  // off
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(mip)[0] < 5, 10000);
    }

    void kineticMapOnTheViews() {
        // A second window opens the study through its loader, as a user would.
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        writeStudy(bmsc::test::toPath(dir.filePath("T")));
        app::MainWindow window;
        window.findChild<QAction*>("layout_1x1")->trigger();
        window.resize(1200, 800);
        QVERIFY(bmsc::test::openStudy(window, dir.filePath("S")));
        window.document()->setCursor(kWashoutCentre);  // slice 3: both lesions

        auto* toggle = window.findChild<QAction*>("action_kineticMap");
        auto* threshold = window.findChild<QSpinBox*>("kineticThreshold");
        auto* colorBar = window.findChild<viewer::ColorBar*>("colorBar");
        auto* controller = window.findChild<app::KineticsController*>();
        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QVERIFY(toggle != nullptr && threshold != nullptr && colorBar != nullptr &&
                controller != nullptr && view != nullptr);
        QCOMPARE(toggle->shortcut(), QKeySequence(Qt::Key_K));
        QCOMPARE(threshold->value(), 50);
        // The toggle is in the View menu.
        bool inMenu = false;
        for (QAction* menu : window.menuBar()->actions()) {
            if (menu->menu() != nullptr && menu->menu()->actions().contains(toggle)) {
                inMenu = true;
            }
        }
        QVERIFY(inMenu);

        // Off: grey image only.
        QTRY_VERIFY_WITH_TIMEOUT(view->grabImage().width() > 0, 5000);
        auto counts = redAndBluePixels(view);
        QVERIFY2(counts[0] < 5 && counts[1] < 5, qPrintable(QString::number(counts[0])));
        QVERIFY(!colorBar->isVisible());

        toggle->trigger();
        QVERIFY(toggle->isChecked());
        QTRY_VERIFY(controller->map() != nullptr);
        const auto map = controller->map();
        QCOMPARE(map->at(kWashoutCentre[0], kWashoutCentre[1], 3), viewer::kMapWashout);
        QCOMPARE(map->at(kPersistentCentre[0], kPersistentCentre[1], 3), viewer::kMapPersistent);
        QCOMPARE(map->at(30, 28, 3), viewer::kMapNone);  // tissue: +10 %, below 50 %
        QCOMPARE(map->at(kAirVoxel[0], kAirVoxel[1], 3), viewer::kMapNone);
        QTRY_VERIFY(colorBar->isVisible());
        QCOMPARE(colorBar->labels(), (QStringList{"persistent", "plateau", "washout"}));
        // The axial view draws both lesions in the map's colours.
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[0] > 50, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[1] > 50, 5000);

        // 100 %: the medium lesion (+70 %) drops out, the fast one stays.
        threshold->setValue(100);
        QTRY_VERIFY(controller->map() != nullptr && controller->map() != map &&
                    !controller->computing());
        QCOMPARE(controller->map()->at(kPersistentCentre[0], kPersistentCentre[1], 3),
                 viewer::kMapNone);
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[1] < 5, 5000);
        QVERIFY(redAndBluePixels(view)[0] > 50);
        // 200 %: nothing enhances that much.
        threshold->setValue(200);
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[0] < 5, 5000);
        threshold->setValue(50);
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[1] > 50, 5000);

        // Off again with the dock's check box: the overlay and the colour bar go.
        auto* check = window.findChild<QCheckBox*>("kineticMapCheck");
        QVERIFY(check != nullptr && check->isChecked());
        check->click();
        QVERIFY(!toggle->isChecked());
        QVERIFY(controller->map() == nullptr);
        QTRY_VERIFY(!colorBar->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[0] < 5, 5000);

        // On, then another study: the map belongs to the first one and disappears.
        toggle->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[0] > 50, 5000);
        const auto first = window.document()->study();
        window.openPath(dir.filePath("T"));
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->study() != first, 20000);
        QVERIFY(window.document()->hasStudy());
        QVERIFY(!toggle->isChecked() && !check->isChecked());
        QVERIFY(controller->map() == nullptr);
        QTRY_VERIFY(!colorBar->isVisible());
        window.document()->setCursor(kWashoutCentre);
        QTRY_VERIFY_WITH_TIMEOUT(redAndBluePixels(view)[0] < 5, 5000);
    }
};

QTEST_MAIN(TestKineticsGui)
#include "TestKineticsGui.moc"
