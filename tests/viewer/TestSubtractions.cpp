// Subtractions postN − pre and their MIP: values on a study with known voxels, caching, and
// meaningless phases rejected.
#include "breastmsc/io/Error.h"
#include "model/StudyDocument.h"
#include "model/Subtractions.h"

#include <QSignalSpy>
#include <QtTest>

using namespace bmsc;

namespace {

/// Channel c at (i, j, k) = 10·c·(k + 1) + i + j: post − pre grows with the phase and with k.
std::shared_ptr<const io::Study> makeStudy() {
    io::Geometry g;
    g.size = {4, 3, 5};
    g.spacing = {0.7, 0.7, 3.0};
    g.origin = {-10, 5, 2};
    auto study = std::make_shared<io::Study>();
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(g);
        for (std::int64_t k = 0; k < 5; ++k) {
            for (std::int64_t j = 0; j < 3; ++j) {
                for (std::int64_t i = 0; i < 4; ++i) {
                    v.at(i, j, k) = static_cast<float>(10 * static_cast<int>(c) * (k + 1) + i + j);
                }
            }
        }
        study->setChannel(c, std::move(v));
    }
    return study;
}

}  // namespace

class TestSubtractions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void subtractionValues() {
        viewer::Subtractions s(makeStudy());
        QVERIFY(!s.hasSubtraction(2));
        const auto sub = s.subtraction(2);
        QVERIFY(s.hasSubtraction(2));
        QVERIFY(!s.hasSubtraction(1));
        QVERIFY(sub->geometry().sameGrid(s.study()->geometry()));
        for (std::int64_t k = 0; k < 5; ++k) {
            QCOMPARE(sub->at(3, 2, k), static_cast<float>(20 * (k + 1)));
            QCOMPARE(sub->at(0, 0, k), static_cast<float>(20 * (k + 1)));
        }
        QCOMPARE(s.subtraction(4)->at(1, 1, 0), 40.0f);
        QCOMPARE(s.subtraction(2).get(), sub.get());  // cached, not recomputed
    }

    void mipValues() {
        viewer::Subtractions s(makeStudy());
        const auto m = s.mip(3);
        QCOMPARE(m->geometry().size, (io::Index3{4, 3, 1}));
        QCOMPARE(m->geometry().origin, s.study()->geometry().origin);
        // max over k of 30·(k + 1) = 150 everywhere (i + j cancels in the subtraction)
        for (std::int64_t j = 0; j < 3; ++j) {
            for (std::int64_t i = 0; i < 4; ++i) {
                QCOMPARE(m->at(i, j, 0), 150.0f);
            }
        }
        QVERIFY(s.hasSubtraction(3));
        QCOMPARE(s.mip(3).get(), m.get());
    }

    void documentShowsDerivedImages() {
        viewer::StudyDocument doc;
        QSignalSpy changed(&doc, &viewer::StudyDocument::viewChanged);
        doc.setStudy(makeStudy());
        QVERIFY(doc.displayVolume() == nullptr);
        QCOMPARE(doc.displayName(), std::string("pre"));
        doc.showSubtraction(1);
        QCOMPARE(doc.displayName(), std::string("sub1"));
        QCOMPARE(doc.displayVolume()->at(2, 1, 4), 50.0f);  // 10·1·5
        // Its own window, remembered apart from the channels'.
        const viewer::WindowLevel preWindow = doc.window(io::Channel::Pre);
        doc.setDisplayWindow({7.0, 3.0});
        QCOMPARE(doc.displayWindow().center, 7.0);
        QCOMPARE(doc.window(io::Channel::Pre).center, preWindow.center);
        doc.showSubtraction(1, true);
        QCOMPARE(doc.displayName(), std::string("MIP sub1"));
        QCOMPARE(doc.displayVolume()->geometry().size[2], std::int64_t{1});
        doc.showSubtraction(1);
        QCOMPARE(doc.displayWindow().center, 7.0);
        doc.setChannel(io::Channel::Pre);  // the same channel as before: still a change
        QVERIFY(doc.derived() == viewer::StudyDocument::Derived::None);
        QVERIFY(doc.displayVolume() == nullptr);
        QCOMPARE(doc.displayWindow().center, preWindow.center);
        QVERIFY(changed.count() >= 6);
        QVERIFY_THROWS_EXCEPTION(io::IoError, doc.showSubtraction(5));
    }

    void badPhaseOrStudy() {
        viewer::Subtractions s(makeStudy());
        QVERIFY_THROWS_EXCEPTION(io::IoError, s.subtraction(0));
        QVERIFY_THROWS_EXCEPTION(io::IoError, s.mip(5));
        QVERIFY_THROWS_EXCEPTION(io::IoError, viewer::Subtractions{nullptr});
        auto partial = std::make_shared<io::Study>();
        partial->setChannel(io::Channel::Pre, io::Volume(makeStudy()->geometry()));
        QVERIFY_THROWS_EXCEPTION(io::IoError, viewer::Subtractions{partial});
    }
};

QTEST_GUILESS_MAIN(TestSubtractions)
#include "TestSubtractions.moc"
