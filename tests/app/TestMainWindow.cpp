// The desktop window driven as a user would: open a study, scroll, switch channels, read the
// status bar; a broken study gives an error and leaves the open study as it was.
#include "MainWindow.h"
#include "OpenStudy.h"
#include "RampStudy.h"
#include "TestSupport.h"
#include "breastmsc/io/ImageFile.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QProgressDialog>
#include <QSettings>
#include <QSlider>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "widgets/SliceView.h"

using namespace bmsc;
namespace fs = std::filesystem;

namespace {

void writeStudy(const fs::path& folder) {
    bmsc::test::writeRampStudy(folder);
}

/// Pixels brighter than near-black (the study's slice, not just text or background).
int litPixels(const QImage& image) {
    int lit = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            lit += qGray(image.pixel(x, y)) > 40 ? 1 : 0;
        }
    }
    return lit;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // Settings in a temporary folder: the tests never read or change the user's.
        QVERIFY(settingsDir_.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("BreastMSC-test"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    }

    void openScrollSwitchAndHover() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        app::MainWindow window;
        window.findChild<QAction*>("layout_1x1")->trigger();  // whatever the settings say
        window.show();
        window.openPath(dir.filePath("S"));
        // Progress shows in the status bar, not in a (modal) dialog, and goes when loaded.
        auto* loadStatus = window.findChild<QWidget*>("loadStatus");
        QVERIFY(loadStatus != nullptr && window.findChild<QProgressBar*>("loadProgress"));
        QVERIFY(window.findChild<QProgressDialog*>() == nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->hasStudy(), 20000);
        QTRY_VERIFY(!loadStatus->isVisible());
        QCOMPARE(window.document()->slice(), std::int64_t{2});

        auto* slider = window.findChild<QSlider*>("sliceSlider");
        QVERIFY(slider != nullptr);
        QCOMPARE(slider->maximum(), 4);
        slider->setValue(4);
        QCOMPARE(window.document()->slice(), std::int64_t{4});

        auto* view = window.findChild<viewer::SliceView*>("sliceView");
        QVERIFY(view != nullptr);
        QWheelEvent wheel(QPointF(10, 10), view->mapToGlobal(QPointF(10, 10)), QPoint(),
                          QPoint(0, -240), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view, &wheel);
        QCOMPARE(window.document()->slice(), std::int64_t{2});
        QCOMPARE(slider->value(), 2);

        // Keys scroll too (the view has focus after a click).
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Up);
        QCOMPARE(window.document()->slice(), std::int64_t{3});
        QTest::keyClick(view, Qt::Key_PageDown);
        QCOMPARE(window.document()->slice(), std::int64_t{2});

        // The VTK view rendered the study: its framebuffer is not all black.
        QTRY_VERIFY_WITH_TIMEOUT(litPixels(view->grabImage()) > 1000, 5000);

        // Right-drag to the right widens the window of the current channel.
        const double widthBefore = window.document()->window(io::Channel::Pre).width;
        const QPoint c = view->rect().center();
        QMouseEvent press(QEvent::MouseButtonPress, c, view->mapToGlobal(c), Qt::RightButton,
                          Qt::RightButton, Qt::NoModifier);
        QApplication::sendEvent(view, &press);
        const QPoint to = c + QPoint(100, 0);
        QMouseEvent move(QEvent::MouseMove, to, view->mapToGlobal(to), Qt::NoButton,
                         Qt::RightButton, Qt::NoModifier);
        QApplication::sendEvent(view, &move);
        QMouseEvent release(QEvent::MouseButtonRelease, to, view->mapToGlobal(to), Qt::RightButton,
                            Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(view, &release);
        QVERIFY(window.document()->window(io::Channel::Pre).width > widthBefore * 1.5);

        // Subtraction post2 − pre (200 everywhere in this study), then its MIP, then back.
        auto* sub2 = window.findChild<QAction*>("channel_sub2");
        QVERIFY(sub2 != nullptr);
        sub2->trigger();
        QVERIFY(window.document()->derived() == viewer::StudyDocument::Derived::Subtraction);
        QCOMPARE(window.document()->displayVolume()->at(3, 4, 2), 200.0f);
        auto* mip = window.findChild<QAction*>("channel_mip");
        QVERIFY(mip != nullptr);
        mip->trigger();
        QVERIFY(window.document()->derived() == viewer::StudyDocument::Derived::Mip);
        QCOMPARE(window.document()->derivedPhase(), 2);
        QCOMPARE(window.document()->displayVolume()->geometry().size[2], std::int64_t{1});
        QVERIFY(mip->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(litPixels(view->grabImage()) > 1000, 5000);

        auto* t2 = window.findChild<QAction*>("channel_t2");
        QVERIFY(t2 != nullptr);
        t2->trigger();
        QVERIFY(window.document()->channel() == io::Channel::T2);
        QVERIFY(window.document()->derived() == viewer::StudyDocument::Derived::None);
        QVERIFY(t2->isChecked());

        // Hover the centre of the view: the status bar shows the six values at that voxel.
        QTest::mouseMove(view, view->rect().center());
        auto* label = window.findChild<QLabel*>("voxelLabel");
        QTRY_VERIFY(!label->text().isEmpty());
        const QString text = label->text();
        QVERIFY2(text.contains("post4 4") && text.contains("t2 5"), qPrintable(text));
        QVERIFY2(text.contains(", 2)"), qPrintable(text));  // slice index 2
    }

    void tripleLayoutLinksTheCrosshair() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        app::MainWindow window;
        window.show();
        window.findChild<QAction*>("layout_1x3")->trigger();
        window.openPath(dir.filePath("S"));
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->hasStudy(), 20000);
        auto* axial = window.findChild<viewer::SliceView*>("sliceView");
        auto* coronal = window.findChild<viewer::SliceView*>("coronalView");
        auto* sagittal = window.findChild<viewer::SliceView*>("sagittalView");
        QVERIFY(axial != nullptr && coronal != nullptr && sagittal != nullptr);
        QTRY_VERIFY(coronal->isVisible() && sagittal->isVisible());
        QCOMPARE(window.document()->cursor(), (io::Index3{10, 8, 2}));  // the centre

        // A click in the axial view moves the crosshair; the other views follow it.
        QPoint target;
        for (int x = 0; x < axial->width() && target.isNull(); ++x) {
            const auto v = axial->sliceRenderer()->voxelAt(x, axial->height() / 2, axial->width(),
                                                           axial->height());
            if (v && (*v)[0] == 15) {
                target = QPoint(x + 1, axial->height() / 2);
            }
        }
        QVERIFY(!target.isNull());
        QTest::mouseClick(axial, Qt::LeftButton, Qt::NoModifier, target);
        QCOMPARE(window.document()->cursor()[0], std::int64_t{15});
        QCOMPARE(sagittal->sliceRenderer()->slice(), std::int64_t{15});
        QCOMPARE(coronal->sliceRenderer()->slice(), window.document()->cursor()[1]);

        // The wheel in the coronal view moves the crosshair's j, not the axial slice.
        const std::int64_t j = window.document()->cursor()[1];
        QWheelEvent wheel(QPointF(10, 10), coronal->mapToGlobal(QPointF(10, 10)), QPoint(),
                          QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(coronal, &wheel);
        QCOMPARE(window.document()->cursor()[1], j - 1);
        QCOMPARE(window.document()->slice(), std::int64_t{2});

        // Hovering the sagittal view reports voxels of other axial slices too.
        QTest::mouseMove(sagittal, QPoint(sagittal->width() / 2, sagittal->height() / 2));
        auto* label = window.findChild<QLabel*>("voxelLabel");
        QTRY_VERIFY(label->text().startsWith(QStringLiteral("voxel (15,")));
        QTRY_VERIFY_WITH_TIMEOUT(litPixels(coronal->grabImage()) > 100, 5000);

        window.findChild<QAction*>("layout_1x1")->trigger();
        QVERIFY(!coronal->isVisible());
    }

    void brokenStudyKeepsTheOpenOne() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        writeStudy(bmsc::test::toPath(dir.filePath("broken")));
        fs::remove(bmsc::test::toPath(dir.filePath("broken/post2.nii.gz")));
        app::MainWindow window;
        QVERIFY(bmsc::test::openStudy(window, dir.filePath("S")));
        const io::Study* before = window.document()->study();

        QString shown;
        auto closeBox = [&shown] {
            for (QWidget* w : QApplication::topLevelWidgets()) {
                if (auto* box = qobject_cast<QMessageBox*>(w); box != nullptr && box->isVisible()) {
                    shown = box->text();
                    box->accept();
                }
            }
        };
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, closeBox);
        poll.start(50);
        window.openPath(dir.filePath("broken"));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 20000);
        QVERIFY2(shown.contains("broken") && shown.contains("post2"), qPrintable(shown));
        QCOMPARE(window.document()->study(), before);

        // A corrupt channel file (garbage where post3 should be): the same.
        writeStudy(bmsc::test::toPath(dir.filePath("corrupt")));
        QFile garbage(dir.filePath("corrupt/post3.nii.gz"));
        QVERIFY(garbage.open(QIODevice::WriteOnly | QIODevice::Truncate));
        garbage.write(QByteArray(4096, '\x42'));
        garbage.close();
        shown.clear();
        window.openPath(dir.filePath("corrupt"));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 20000);
        QVERIFY2(shown.contains("post3"), qPrintable(shown));
        QCOMPARE(window.document()->study(), before);
        QVERIFY(window.document()->hasStudy());
    }

private:
    QTemporaryDir settingsDir_;
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
