// The desktop window driven as a user would: open a study, scroll, switch channels, read the
// status bar; a broken study gives an error and leaves the open study as it was.
#include "MainWindow.h"
#include "TestSupport.h"
#include "breastmsc/io/ImageFile.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QSlider>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "widgets/SliceView.h"

using namespace bmsc;
namespace fs = std::filesystem;

namespace {

void writeStudy(const fs::path& folder) {
    io::Geometry g;
    g.size = {20, 16, 5};
    g.spacing = {2.0, 2.0, 3.0};
    io::Study study;
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(g);
        for (std::int64_t k = 0; k < 5; ++k) {
            for (std::int64_t j = 0; j < 16; ++j) {
                for (std::int64_t i = 0; i < 20; ++i) {
                    v.at(i, j, k) = static_cast<float>(100 * static_cast<int>(c) + 10 * k + i);
                }
            }
        }
        study.setChannel(c, std::move(v));
    }
    io::writeImageStudy(study, folder);
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void openScrollSwitchAndHover() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        app::MainWindow window;
        window.show();
        window.openPath(dir.filePath("S"));
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->hasStudy(), 20000);
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

        auto* t2 = window.findChild<QAction*>("channel_t2");
        QVERIFY(t2 != nullptr);
        t2->trigger();
        QVERIFY(window.document()->channel() == io::Channel::T2);

        // Hover the centre of the view: the status bar shows the six values at that voxel.
        QTest::mouseMove(view, view->rect().center());
        auto* label = window.findChild<QLabel*>("voxelLabel");
        QTRY_VERIFY(!label->text().isEmpty());
        const QString text = label->text();
        QVERIFY2(text.contains("post4 4") && text.contains("t2 5"), qPrintable(text));
        QVERIFY2(text.contains(", 2)"), qPrintable(text));  // slice index 2
    }

    void brokenStudyKeepsTheOpenOne() {
        QTemporaryDir dir;
        writeStudy(bmsc::test::toPath(dir.filePath("S")));
        writeStudy(bmsc::test::toPath(dir.filePath("broken")));
        fs::remove(bmsc::test::toPath(dir.filePath("broken/post2.nii.gz")));
        app::MainWindow window;
        window.show();
        window.openPath(dir.filePath("S"));
        QTRY_VERIFY_WITH_TIMEOUT(window.document()->hasStudy(), 20000);
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
    }
};

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
