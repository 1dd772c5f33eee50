// What a desktop user expects of the main window, driven as a user would: zoom, pan and reset
// in the slice views, the 2×2 layout with the subtraction MIP, window/level presets,
// screenshots, recent folders, drag and drop, the shortcuts help and the cohort table.
// Settings go to a temporary folder (never the user's).
#include "CohortPanel.h"
#include "MainWindow.h"
#include "OpenStudy.h"
#include "RampStudy.h"
#include "SettingsDialog.h"
#include "TestSupport.h"
#include "breastmsc/io/ImageFile.h"
#include "model/WindowPresets.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace bmsc;
namespace fs = std::filesystem;

namespace {

/// post1 has a bright spot at (12, 8, 3), so that subtraction 1 is brightest there in its column.
void writeStudy(const fs::path& folder) {
    bmsc::test::writeRampStudy(folder, io::Index3{12, 8, 3});
}

int distinctGreys(const QImage& image) {
    QSet<int> levels;
    for (int y = 0; y < image.height(); y += 3) {
        for (int x = 0; x < image.width(); x += 3) {
            levels.insert(qGray(image.pixel(x, y)));
        }
    }
    return static_cast<int>(levels.size());
}

void sendWheel(QWidget* w, const QPoint& at, int delta, Qt::KeyboardModifiers modifiers) {
    QWheelEvent wheel(at, w->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton, modifiers,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &wheel);
}

void drag(QWidget* w, const QPoint& from, const QPoint& to, Qt::MouseButton button,
          Qt::KeyboardModifiers modifiers) {
    QMouseEvent press(QEvent::MouseButtonPress, from, w->mapToGlobal(from), button, button,
                      modifiers);
    QApplication::sendEvent(w, &press);
    QMouseEvent move(QEvent::MouseMove, to, w->mapToGlobal(to), Qt::NoButton, button, modifiers);
    QApplication::sendEvent(w, &move);
    QMouseEvent release(QEvent::MouseButtonRelease, to, w->mapToGlobal(to), button, Qt::NoButton,
                        modifiers);
    QApplication::sendEvent(w, &release);
}

std::optional<io::Index3> voxelAt(viewer::SliceView* v, const QPoint& p) {
    return v->sliceRenderer()->voxelAt(p.x(), p.y(), v->width(), v->height());
}

/// The first pixel (row by row) that shows in-plane voxel (i, j), moved by `inset` pixels
/// right and down so that a click lands inside the voxel; null when no pixel shows it.
QPoint pixelShowing(viewer::SliceView* v, std::int64_t i, std::int64_t j, int inset) {
    for (int y = 0; y < v->height(); ++y) {
        for (int x = 0; x < v->width(); ++x) {
            const auto voxel = voxelAt(v, QPoint(x, y));
            if (voxel && (*voxel)[0] == i && (*voxel)[1] == j) {
                return QPoint(x + inset, y + inset);
            }
        }
    }
    return {};
}

/// Accepts every visible message box (its text kept), as a user clicking OK.
class BoxCloser : public QObject {
public:
    BoxCloser() {
        connect(&timer_, &QTimer::timeout, this, [this] {
            for (QWidget* w : QApplication::topLevelWidgets()) {
                if (auto* box = qobject_cast<QMessageBox*>(w); box != nullptr && box->isVisible()) {
                    shown = box->text();
                    box->accept();
                }
            }
        });
        timer_.start(50);
    }
    QString shown;

private:
    QTimer timer_;
};

}  // namespace

class TestMainWindowConventions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(settingsDir_.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("BreastMSC-test"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings().clear();
        QVERIFY(dir_.isValid());
        writeStudy(bmsc::test::toPath(dir_.filePath("S")));
    }

    void zoomPanAndReset() {
        app::MainWindow window;
        window.setViewLayout(QStringLiteral("1x1"));
        QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QVERIFY(view != nullptr);
        QTRY_VERIFY(view->isVisible());
        const QPoint centre = view->rect().center();
        const QPoint probe = centre + QPoint(view->width() / 5, view->height() / 8);
        const auto atProbe = voxelAt(view, probe);
        const auto atCentre = voxelAt(view, centre);
        QVERIFY(atProbe && atCentre);

        // Ctrl+wheel zooms about the cursor: the voxel under it stays, others move in.
        sendWheel(view, centre, 360, Qt::ControlModifier);
        QVERIFY(view->sliceRenderer()->zoom() > 1.5);
        QCOMPARE(voxelAt(view, centre), atCentre);
        QVERIFY(voxelAt(view, probe) != atProbe);
        QCOMPARE(window.document()->slice(), std::int64_t{2});  // no slice scrolled

        // A middle drag pans: the voxel under the mouse travels with it (a quarter of the view:
        // more than a voxel whatever the view's size).
        const QPoint across(view->width() / 4, 0);
        const auto before = voxelAt(view, centre);
        drag(view, centre, centre + across, Qt::MiddleButton, Qt::NoModifier);
        QCOMPARE(voxelAt(view, centre + across), before);
        QVERIFY(voxelAt(view, centre) != before);
        // Shift+left drag pans too, without moving the crosshair.
        const io::Index3 cursor = window.document()->cursor();
        const auto shifted = voxelAt(view, centre);
        const QPoint down(0, view->height() / 4);
        drag(view, centre, centre + down, Qt::LeftButton, Qt::ShiftModifier);
        QCOMPARE(voxelAt(view, centre + down), shifted);
        QCOMPARE(window.document()->cursor(), cursor);

        // Reset view (R) fits the slice again.
        auto* reset = window.findChild<QAction*>("action_resetView");
        QVERIFY(reset != nullptr);
        QVERIFY(reset->shortcuts().contains(QKeySequence(QStringLiteral("R"))));
        reset->trigger();
        QCOMPARE(view->sliceRenderer()->zoom(), 1.0);
        QCOMPARE(voxelAt(view, probe), atProbe);
        QCOMPARE(voxelAt(view, centre), atCentre);

        // The plain wheel still scrolls slices.
        sendWheel(view, centre, 120, Qt::NoModifier);
        QCOMPARE(window.document()->slice(), std::int64_t{3});
    }

    void quadLayoutShowsTheMip() {
        {
            app::MainWindow window;
            window.show();
            auto* quad = window.findChild<QAction*>("layout_2x2");
            QVERIFY(quad != nullptr);
            QCOMPARE(quad->shortcut(), QKeySequence(QStringLiteral("Ctrl+2")));
            quad->trigger();
            QVERIFY(quad->isChecked());
        }
        QCOMPARE(QSettings().value("view/layout").toString(), QStringLiteral("2x2"));
        // Remembered: a new window opens in the 2×2 layout.
        app::MainWindow window;
        QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
        QVERIFY(window.findChild<QAction*>("layout_2x2")->isChecked());
        QStringList visible;
        for (auto* v : window.findChildren<viewer::SliceView*>()) {
            if (v->isVisible()) {
                visible << v->objectName();
            }
        }
        visible.sort();
        QCOMPARE(visible, (QStringList{"coronalView", "mipView", "sagittalView", "sliceView"}));
        auto* mip = window.findChild<viewer::SliceView*>("mipView");
        QVERIFY(mip->isMipPane());
        // The MIP pane shows the MIP whatever the main view shows (here: pre).
        QVERIFY(window.document()->derived() == viewer::StudyDocument::Derived::None);
        QCOMPARE(mip->sliceRenderer()->sliceCount(), std::int64_t{1});
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(mip->grabImage()) > 4, 5000);

        // A click on the MIP goes to the brightest voxel of the column: the spot at k = 3.
        const QPoint spot = pixelShowing(mip, 12, 8, 1);
        QVERIFY(!spot.isNull());
        QTest::mouseClick(mip, Qt::LeftButton, Qt::NoModifier, spot);
        QCOMPARE(window.document()->cursor(), (io::Index3{12, 8, 3}));
        window.setViewLayout(QStringLiteral("1x1"));
        QVERIFY(!mip->isVisible());
    }

    /// Run at QT_SCALE_FACTOR 1 and 2 (test_main_window_conventions_hidpi): the corner text and
    /// the crosshair keep their size in logical pixels, and a click picks the voxel under it.
    void textCrosshairAndPickingFollowTheScale() {
        app::MainWindow window;
        window.setViewLayout(QStringLiteral("1x3"));
        window.resize(1000, 600);
        QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(view->grabImage()) > 4, 5000);
        const double ratio = view->devicePixelRatioF();
        QCOMPARE(view->sliceRenderer()->pixelRatio(), ratio);

        // A click on voxel (5, 10) of the axial view puts the crosshair there.
        const QPoint target = pixelShowing(view, 5, 10, 2);
        QVERIFY(!target.isNull());
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, target);
        QCOMPARE(window.document()->cursor(), (io::Index3{5, 10, 2}));

        // The crosshair's vertical line, across the row through the view's centre: green
        // pixels, as wide in logical pixels as at scale 1 (1 px; drawn smooth, so up to 3).
        const auto greenRun = [&](const QImage& image) {
            int run = 0;
            const int y = image.height() / 2;
            for (int x = 0; x < image.width(); ++x) {
                const QRgb p = image.pixel(x, y);
                run += qGreen(p) - qRed(p) > 40 && qGreen(p) - qBlue(p) > 30 ? 1 : 0;
            }
            return run;
        };
        QTRY_VERIFY_WITH_TIMEOUT(greenRun(view->grabImage()) > 0, 5000);
        const double lineWidth = greenRun(view->grabImage()) / ratio;
        QVERIFY2(lineWidth >= 0.9 && lineWidth <= 3.0, qPrintable(QString::number(lineWidth)));

        // The caption at the top left ("pre  slice 3/5", 14 px): the height of its yellow
        // pixels in logical pixels, whatever the scale.
        const QImage image = view->grabImage();
        int top = image.height();
        int bottom = -1;
        for (int y = 0; y < image.height() / 4; ++y) {
            for (int x = 0; x < image.width() / 3; ++x) {
                const QRgb p = image.pixel(x, y);
                if (qRed(p) > 150 && qRed(p) - qBlue(p) > 100 && qGreen(p) - qBlue(p) > 80) {
                    top = std::min(top, y);
                    bottom = std::max(bottom, y);
                }
            }
        }
        QVERIFY(bottom >= top);
        const double captionHeight = (bottom - top + 1) / ratio;
        QVERIFY2(captionHeight >= 9.0 && captionHeight <= 20.0,
                 qPrintable(QString::number(captionHeight)));
    }

    void layoutsUseTheWholeArea() {
        app::MainWindow window;
        window.resize(1100, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* area = window.findChild<QWidget*>("views");
        auto* axial = window.findChild<viewer::SliceView*>("sliceView");
        auto* coronal = window.findChild<viewer::SliceView*>("coronalView");
        auto* sagittal = window.findChild<viewer::SliceView*>("sagittalView");
        auto* mip = window.findChild<viewer::SliceView*>("mipView");
        QVERIFY(area != nullptr && axial != nullptr && coronal != nullptr && sagittal != nullptr &&
                mip != nullptr);
        auto near = [](int a, int b) { return std::abs(a - b) <= 6; };  // spacing, rounding
        // 1×1 after 1×3: the axial view fills the area, no gap where the other views were.
        window.setViewLayout(QStringLiteral("1x3"));
        window.setViewLayout(QStringLiteral("1x1"));
        QTRY_VERIFY2(near(axial->width(), area->width()) && near(axial->height(), area->height()),
                     qPrintable(QStringLiteral("axial %1x%2 in %3x%4")
                                    .arg(axial->width())
                                    .arg(axial->height())
                                    .arg(area->width())
                                    .arg(area->height())));
        // 1×3: axial twice as wide as coronal and sagittal (unless they are at their minimum
        // width), together the whole width.
        window.setViewLayout(QStringLiteral("1x3"));
        QTRY_VERIFY2(
            (near(axial->width(), 2 * coronal->width()) ||
             (coronal->width() == coronal->minimumWidth() && axial->width() > coronal->width())) &&
                near(coronal->width(), sagittal->width()) &&
                near(axial->width() + coronal->width() + sagittal->width(), area->width()) &&
                near(coronal->height(), area->height()),
            qPrintable(QStringLiteral("%1 %2 %3 of %4")
                           .arg(axial->width())
                           .arg(coronal->width())
                           .arg(sagittal->width())
                           .arg(area->width())));
        // 2×2: four equal quarters.
        window.setViewLayout(QStringLiteral("2x2"));
        QTRY_VERIFY(near(2 * axial->width(), area->width()) &&
                    near(2 * axial->height(), area->height()) &&
                    near(mip->width(), axial->width()) && near(mip->height(), axial->height()) &&
                    near(coronal->width(), sagittal->width()));
        // And back to 1×1 from 2×2.
        window.setViewLayout(QStringLiteral("1x1"));
        QTRY_VERIFY(near(axial->width(), area->width()) && near(axial->height(), area->height()));
    }

    void windowLevelPresets() {
        app::MainWindow window;
        QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
        auto* full = window.findChild<QAction*>("preset_full");
        auto* automatic = window.findChild<QAction*>("preset_automatic");
        QVERIFY(full != nullptr && automatic != nullptr);
        QVERIFY(automatic->isChecked());
        full->trigger();
        // pre holds 10·k + i: 0 … 59, so the full range is 59 wide around 29.5.
        QCOMPARE(window.document()->window(io::Channel::Pre).width, 59.0);
        QCOMPARE(window.document()->window(io::Channel::Pre).center, 29.5);
        QVERIFY(full->isChecked());
        QCOMPARE(QSettings().value("windowPresets/pre").toString(), QStringLiteral("full"));
        // Another channel keeps its own preset.
        window.findChild<QAction*>("channel_post2")->trigger();
        QVERIFY(automatic->isChecked());
        // Remembered across sessions: the next window opens pre with the full range.
        app::MainWindow next;
        next.openPath(dir_.filePath("S"));
        QTRY_VERIFY_WITH_TIMEOUT(next.document()->hasStudy(), 20000);
        QCOMPARE(next.document()->window(io::Channel::Pre).width, 59.0);
        QSettings().remove("windowPresets");
    }

    void draggedWindowLevelIsRemembered() {
        QSettings().remove("windowPresets");
        QSettings().remove("windowLevels");
        viewer::WindowLevel automatic;
        viewer::WindowLevel dragged;
        viewer::WindowLevel post2;
        {
            app::MainWindow window;
            window.setViewLayout(QStringLiteral("1x1"));
            QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
            auto* view = window.findChild<viewer::SliceView*>("sliceView");
            QVERIFY(view != nullptr);
            QTRY_VERIFY(view->isVisible());
            window.findChild<QAction*>("channel_post1")->trigger();
            automatic = window.document()->window(io::Channel::Post1);
            post2 = window.document()->window(io::Channel::Post2);
            // A right drag, right and down: a wider window (e^0.3) and a lower level.
            const QPoint centre = view->rect().center();
            drag(view, centre, centre + QPoint(60, 40), Qt::RightButton, Qt::NoModifier);
            dragged = window.document()->window(io::Channel::Post1);
            QVERIFY(dragged.width > 1.3 * automatic.width);
            QVERIFY(dragged.center < automatic.center);
            QCOMPARE(window.document()->window(io::Channel::Post2).width, post2.width);
        }
        {
            // The next session opens post1 with exactly that window; the others as before.
            app::MainWindow next;
            QVERIFY(bmsc::test::openStudy(next, dir_.filePath("S")));
            QCOMPARE(next.document()->window(io::Channel::Post1).center, dragged.center);
            QCOMPARE(next.document()->window(io::Channel::Post1).width, dragged.width);
            QCOMPARE(next.document()->window(io::Channel::Post2).center, post2.center);
            QCOMPARE(next.document()->window(io::Channel::Post2).width, post2.width);
            QCOMPARE(next.document()->window(io::Channel::Pre).width,
                     viewer::presetWindow(next.document()->study()->channel(io::Channel::Pre),
                                          viewer::WindowPreset::Automatic)
                         .width);
            // Choosing a preset for post1 (here Automatic) forgets the dragged window.
            next.findChild<QAction*>("channel_post1")->trigger();
            next.findChild<QAction*>("preset_automatic")->trigger();
            QCOMPARE(next.document()->window(io::Channel::Post1).width, automatic.width);
            QVERIFY(!QSettings().contains("windowLevels/post1/width"));
        }
        app::MainWindow third;
        third.openPath(dir_.filePath("S"));
        QTRY_VERIFY_WITH_TIMEOUT(third.document()->hasStudy(), 20000);
        QCOMPARE(third.document()->window(io::Channel::Post1).center, automatic.center);
        QCOMPARE(third.document()->window(io::Channel::Post1).width, automatic.width);
        QSettings().remove("windowPresets");
        QSettings().remove("windowLevels");
    }

    void screenshots() {
        app::MainWindow window;
        window.setViewLayout(QStringLiteral("1x1"));
        QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(view->grabImage()) > 4, 5000);

        const QString viewPng = dir_.filePath("view.png");
        QString error;
        QVERIFY2(window.saveScreenshot(viewPng, app::ScreenshotTarget::View, &error),
                 qPrintable(error));
        const QImage shot(viewPng);
        QVERIFY(!shot.isNull());
        QCOMPARE(shot.size(), view->size() * view->devicePixelRatio());
        QVERIFY(distinctGreys(shot) > 4);

        const QString windowPng = dir_.filePath("window.png");
        QVERIFY2(window.saveScreenshot(windowPng, app::ScreenshotTarget::Window, &error),
                 qPrintable(error));
        const QImage whole(windowPng);
        QCOMPARE(whole.size(), window.size() * window.devicePixelRatio());
        QVERIFY(distinctGreys(whole) > 4);

        // A folder that does not exist: false, an error naming the file, nothing written.
        const QString bad = dir_.filePath("missing/sub/view.png");
        QVERIFY(!window.saveScreenshot(bad, app::ScreenshotTarget::View, &error));
        QVERIFY2(error.contains("view.png"), qPrintable(error));
        QVERIFY(!QFileInfo::exists(bad));
        QCOMPARE(app::screenshotFileName("P 01", "sub1", app::ScreenshotTarget::View),
                 QStringLiteral("P_01_sub1.png"));
    }

    void recentFoldersAndDrop() {
        QSettings().setValue("recent/paths", QStringList{dir_.filePath("gone")});
        app::MainWindow window;
        window.show();
        // A dropped folder opens; a dropped file is refused.
        QMimeData fileData;
        fileData.setUrls({QUrl::fromLocalFile(dir_.filePath("S/pre.nii.gz"))});
        QDragEnterEvent refuse(QPoint(50, 50), Qt::CopyAction, &fileData, Qt::LeftButton,
                               Qt::NoModifier);
        refuse.setAccepted(false);
        QApplication::sendEvent(&window, &refuse);
        QVERIFY(!refuse.isAccepted());
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(dir_.filePath("S"))});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &data, Qt::LeftButton,
                              Qt::NoModifier);
        enter.setAccepted(false);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->hasStudy(), 20000);

        // Opened folders are listed first under File > Open Recent.
        const QString opened = QDir::cleanPath(dir_.filePath("S"));
        QTRY_COMPARE(QSettings().value("recent/paths").toStringList(),
                     (QStringList{opened, dir_.filePath("gone")}));
        auto* first = window.findChild<QAction*>("recent_0");
        QVERIFY(first != nullptr);
        QCOMPARE(first->data().toString(), opened);
        // Choosing a folder that is gone removes it, with a message.
        auto* gone = window.findChild<QAction*>("recent_1");
        QVERIFY(gone != nullptr);
        BoxCloser closer;
        gone->trigger();
        QVERIFY2(closer.shown.contains("gone"), qPrintable(closer.shown));
        QCOMPARE(QSettings().value("recent/paths").toStringList(), QStringList{opened});
        window.findChild<QAction*>("recent_clear")->trigger();
        QVERIFY(QSettings().value("recent/paths").toStringList().isEmpty());
        QVERIFY(window.findChild<QAction*>("recent_0") == nullptr);
    }

    void shortcutsHelpListsTheKeys() {
        app::MainWindow window;
        window.show();
        auto* help = window.findChild<QAction*>("action_shortcuts");
        QVERIFY(help != nullptr);
        QCOMPARE(help->shortcut(), QKeySequence(Qt::Key_F1));
        help->trigger();
        QDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<QDialog*>("shortcutsDialog")) != nullptr &&
                    dialog->isVisible());
        auto* table = dialog->findChild<QTableWidget*>("shortcutsTable");
        QVERIFY(table != nullptr);
        QMap<QString, QString> rows;
        for (int r = 0; r < table->rowCount(); ++r) {
            rows.insert(table->item(r, 0)->text(), table->item(r, 1)->text());
        }
        QCOMPARE(rows.value("Pre"), QStringLiteral("1"));
        QCOMPARE(rows.value("T2"), QStringLiteral("6"));
        QCOMPARE(rows.value("Sub 1"), QStringLiteral("7"));
        QCOMPARE(rows.value("MIP"), QStringLiteral("M"));
        QVERIFY2(rows.value("Reset View").contains("R"), qPrintable(rows.value("Reset View")));
        QVERIFY(rows.contains("Layout 2x2 (axial, coronal, sagittal, MIP)"));
        QCOMPARE(rows.value("Zoom about the cursor"), QStringLiteral("Ctrl+Wheel"));
        dialog->close();
    }

    void cohortTable() {
        const QString cohort = dir_.filePath("cohort");
        const auto r = bmsc::test::runCli({"generate", "--patients", "3", "--seed", "1", "--size",
                                           "32x32x6", "--quiet", "--out", cohort});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const io::Cohort expected = io::Cohort::open(bmsc::test::toPath(cohort));
        app::MainWindow window;
        window.show();
        window.openPath(cohort);
        auto* table = window.findChild<QTableWidget*>("cohortTable");
        QVERIFY(table != nullptr);
        QTRY_VERIFY(table->isVisible());
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->columnCount(), 5);
        QCOMPARE(table->horizontalHeaderItem(app::CohortPanel::StatusColumn)->text(),
                 QStringLiteral("Status"));
        const auto ids = expected.patients();
        for (int row = 0; row < 3; ++row) {
            const std::string& id = ids[static_cast<std::size_t>(row)];
            QCOMPARE(table->item(row, 0)->text(), QString::fromStdString(id));
            QCOMPARE(table->item(row, app::CohortPanel::LesionsColumn)->text().toULongLong(),
                     static_cast<qulonglong>(expected.lesionsOf(id).size()));
            const auto left = expected.breast(id, io::Side::Left);
            QCOMPARE(table->item(row, app::CohortPanel::LeftColumn)->text(),
                     QString::fromStdString(std::string(io::labelName(left->label))));
        }
        // The first patient opens with the cohort; choosing a row opens that patient.
        QTRY_VERIFY_WITH_TIMEOUT(window.windowTitle().startsWith(QString::fromStdString(ids[0])),
                                 20000);
        table->selectRow(2);
        QTRY_VERIFY_WITH_TIMEOUT(window.windowTitle().startsWith(QString::fromStdString(ids[2])),
                                 20000);
        // A generated cohort is fully annotated.
        QCOMPARE(table->item(2, app::CohortPanel::StatusColumn)->text(),
                 QStringLiteral("complete"));
    }

    void seriesAssignment() {
        // A DICOM study: the dialog shows what was found, starts from the reader's choice, and
        // a corrected assignment (pre and post4 swapped) reloads the study with it.
        const QString cohort = dir_.filePath("dicom");
        const auto r = bmsc::test::runCli({"generate", "--patients", "1", "--format", "dicom",
                                           "--size", "32x32x4", "--quiet", "--out", cohort});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString folder = cohort + QStringLiteral("/P0001");
        app::MainWindow window;
        QVERIFY(bmsc::test::openStudy(window, folder));
        const io::Study* first = window.document()->study();
        const auto sum = [](const io::Volume& v) {
            double total = 0.0;
            for (const float x : v.voxels()) {
                total += x;
            }
            return total;
        };
        const double pre = sum(first->channel(io::Channel::Pre));
        const double post4 = sum(first->channel(io::Channel::Post4));
        QVERIFY(pre != post4);

        window.findChild<QAction*>("action_seriesAssignment")->trigger();
        QDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<QDialog*>("seriesAssignmentDialog")) != nullptr);
        auto* report = dialog->findChild<QPlainTextEdit*>("seriesReport");
        QVERIFY(report != nullptr);
        QVERIFY2(report->toPlainText().contains("DYN post4"), qPrintable(report->toPlainText()));
        auto* preCombo = dialog->findChild<QComboBox*>("series_pre");
        auto* post4Combo = dialog->findChild<QComboBox*>("series_post4");
        auto* t2Combo = dialog->findChild<QComboBox*>("series_t2");
        QVERIFY(preCombo != nullptr && post4Combo != nullptr && t2Combo != nullptr);
        QCOMPARE(preCombo->count(), 7);  // automatic + six series
        QVERIFY2(preCombo->currentText().contains("DYN pre"), qPrintable(preCombo->currentText()));
        QVERIFY2(t2Combo->currentText().contains("T2"), qPrintable(t2Combo->currentText()));
        const int preIndex = preCombo->currentIndex();
        preCombo->setCurrentIndex(post4Combo->currentIndex());
        post4Combo->setCurrentIndex(preIndex);
        // An incomplete choice cannot be reloaded.
        auto* reload = dialog->findChild<QPushButton*>("seriesReload");
        QVERIFY(reload != nullptr && reload->isEnabled());
        auto* post2Combo = dialog->findChild<QComboBox*>("series_post2");
        const int post2Index = post2Combo->currentIndex();
        post2Combo->setCurrentIndex(0);
        QVERIFY(!reload->isEnabled());
        QVERIFY(!dialog->findChild<QLabel*>("seriesProblem")->text().isEmpty());
        post2Combo->setCurrentIndex(post2Index);
        QVERIFY(reload->isEnabled());
        reload->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->study() != first, 20000);
        QCOMPARE(sum(window.document()->study()->channel(io::Channel::Pre)), post4);
        QCOMPARE(sum(window.document()->study()->channel(io::Channel::Post4)), pre);
    }

    void languageSetting() {
        QSettings().remove("ui/language");
        app::SettingsDialog dialog;
        auto* combo = dialog.findChild<QComboBox*>("languageCombo");
        QVERIFY(combo != nullptr);
        QCOMPARE(combo->currentData().toString(), QString());  // the system's language
        combo->setCurrentIndex(combo->findData(QStringLiteral("de")));
        dialog.save();
        QCOMPARE(QSettings().value("ui/language").toString(), QStringLiteral("de"));
        app::SettingsDialog again;  // shows what is stored
        QCOMPARE(again.findChild<QComboBox*>("languageCombo")->currentText(),
                 QStringLiteral("Deutsch"));
        QSettings().remove("ui/language");
    }

    /// Settings ▸ "Draw slices with": the views switch between the software and the OpenGL
    /// (VTK) display at once, and both show the same picture.
    void displaySetting() {
        QSettings().remove("view/display");
        app::MainWindow window;
        window.resize(900, 700);
        QVERIFY(bmsc::test::openStudy(window, dir_.filePath("S")));
        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QCOMPARE(view->display(), viewer::SliceView::Display::Software);  // the default
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(view->grabImage()) > 4, 5000);
        const QImage software = view->grabImage().convertToFormat(QImage::Format_RGB888);

        // Through the dialog, as a user: choose, then OK.
        auto choose = [&window](const QString& display) {
            QTimer::singleShot(100, &window, [display] {
                for (QWidget* w : QApplication::topLevelWidgets()) {
                    auto* dialog = qobject_cast<app::SettingsDialog*>(w);
                    if (dialog == nullptr || !dialog->isVisible()) {
                        continue;
                    }
                    auto* combo = dialog->findChild<QComboBox*>("displayCombo");
                    combo->setCurrentIndex(combo->findData(display));
                    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
                }
            });
            window.findChild<QAction*>("action_settings")->trigger();
        };
        choose(QStringLiteral("opengl"));
        QCOMPARE(QSettings().value("view/display").toString(), QStringLiteral("opengl"));
        QCOMPARE(view->display(), viewer::SliceView::Display::OpenGl);
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(view->grabImage()) > 4, 5000);
        const QImage opengl = view->grabImage().convertToFormat(QImage::Format_RGB888);
        QCOMPARE(opengl.size(), software.size());
        double sum = 0.0;
        for (int y = 0; y < opengl.height(); ++y) {
            const uchar* a = opengl.constScanLine(y);
            const uchar* b = software.constScanLine(y);
            for (int x = 0; x < 3 * opengl.width(); ++x) {
                sum += std::abs(int{a[x]} - int{b[x]});
            }
        }
        const double mean = sum / (3.0 * opengl.width() * opengl.height());
        QVERIFY2(mean < 4.0, qPrintable(QStringLiteral("mean |diff| %1 levels").arg(mean)));
        // Input still reaches the view through the GL surface: a click delivered by the window
        // (hit-tested as the window system's would be) moves the crosshair.
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QPoint target = pixelShowing(view, 7, 9, 2);
        QVERIFY(!target.isNull());
        QCOMPARE(window.childAt(window.mapFromGlobal(view->mapToGlobal(target))), view);
        QTest::mouseClick(window.windowHandle(), Qt::LeftButton, Qt::NoModifier,
                          window.mapFromGlobal(view->mapToGlobal(target)));
        QCOMPARE(window.document()->cursor()[0], std::int64_t{7});
        QCOMPARE(window.document()->cursor()[1], std::int64_t{9});

        choose(QStringLiteral("software"));
        QCOMPARE(view->display(), viewer::SliceView::Display::Software);
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(view->grabImage()) > 4, 5000);
        // Back on a fresh GL surface (the renderer in a new window), and closed with it on.
        choose(QStringLiteral("opengl"));
        QCOMPARE(view->display(), viewer::SliceView::Display::OpenGl);
        QTRY_VERIFY_WITH_TIMEOUT(distinctGreys(view->grabImage()) > 4, 5000);
        QSettings().remove("view/display");
    }

    void annotationStatus() {
        QTemporaryDir folder;
        io::Cohort cohort = io::Cohort::create(bmsc::test::toPath(folder.path()));
        auto add = [&cohort](const std::string& id, io::Side side, io::Label label) {
            io::BreastRecord b;
            b.patientId = id;
            b.side = side;
            b.label = label;
            cohort.breasts().push_back(b);
        };
        add("A", io::Side::Left, io::Label::Malignant);
        add("A", io::Side::Right, io::Label::Benign);
        add("B", io::Side::Left, io::Label::Benign);  // right breast missing
        add("C", io::Side::Left, io::Label::Malignant);
        add("C", io::Side::Right, io::Label::Unlabelled);
        add("D", io::Side::Left, io::Label::Benign);
        add("D", io::Side::Right, io::Label::Benign);
        io::LesionPoint lesion;
        lesion.patientId = "A";
        lesion.position = {-40.0, 0.0, 0.0};  // patient's right (x < centre) on the grid below
        lesion.label = io::Label::Malignant;
        cohort.lesions().push_back(lesion);
        using S = app::CohortPanel::Status;
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "A") == S::Complete);
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "B") == S::LabelsMissing);
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "C") == S::LabelsMissing);
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "D") == S::Complete);
        // With the study's grid the side is known: A's centre is in the benign right breast.
        io::Geometry g;
        g.size = {100, 100, 10};
        g.origin = {-50.0, -50.0, 0.0};
        QVERIFY(io::Cohort::sideOfPoint(g, lesion.position) == io::Side::Right);
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "A", &g) == S::NoLesions);
        cohort.lesions()[0].position = {40.0, 0.0, 0.0};
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "A", &g) == S::Complete);
        cohort.lesions().clear();
        QVERIFY(app::CohortPanel::annotationStatus(cohort, "A") == S::NoLesions);
    }

private:
    QTemporaryDir settingsDir_;
    QTemporaryDir dir_;
};

QTEST_MAIN(TestMainWindowConventions)
#include "TestMainWindowConventions.moc"
