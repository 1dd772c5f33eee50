// StudyLoader's busy() against the delivery of its result: it stays true after the worker has
// finished until the result has reached the loader's thread, so that no second load starts in
// between; it is false in the slots that receive the result, which may start the next load.
#include "RampStudy.h"
#include "StudyLoader.h"
#include "TestSupport.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/Preprocess.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

using namespace bmsc;

class TestStudyLoader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        test::writeRampStudy(test::toPath(dir_.filePath("S")));
        test::writeRampStudy(test::toPath(dir_.filePath("T")));
    }

    void busyUntilTheResultIsDelivered() {
        app::StudyLoader loader;
        QStringList loaded;
        QStringList failed;
        connect(&loader, &app::StudyLoader::loaded, this,
                [&](const std::shared_ptr<const io::Study>& study, const QString& label) {
                    QVERIFY(study != nullptr);
                    loaded << label;
                });
        connect(&loader, &app::StudyLoader::failed, this,
                [&](const QString& message, bool) { failed << message; });
        loader.load(dir_.filePath("S"), QStringLiteral("first"));
        QVERIFY(loader.busy());
        // The worker ends while this thread handles no events: its result is not delivered yet,
        // so the loader is still busy and refuses another load.
        QVERIFY(QThreadPool::globalInstance()->waitForDone(60000));
        QVERIFY(loaded.isEmpty());
        QVERIFY(loader.busy());
        loader.load(dir_.filePath("T"), QStringLiteral("second"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QVERIFY(!loader.busy());
        QCOMPARE(loaded, QStringList{QStringLiteral("first")});
        QVERIFY2(failed.isEmpty(), qPrintable(failed.join(QLatin1Char('\n'))));
        // The refused load never ran: no second result comes.
        QVERIFY(QThreadPool::globalInstance()->waitForDone(60000));
        QCoreApplication::processEvents();
        QCOMPARE(loaded.size(), 1);
    }

    // A study stored with its rows and columns swapped and both reversed (as other tools may
    // write it) arrives with its voxels along LPS, so that the views show it as axial, right on
    // the left and anterior up: the same grid and voxels as the study stored along LPS.
    void studyStoredOffLpsArrivesAlongLps() {
        const io::Study lps = io::readImageStudy(test::toPath(dir_.filePath("S")));
        const io::Geometry& g = lps.geometry();
        io::Geometry swapped;
        swapped.size = {g.size[1], g.size[0], g.size[2]};
        swapped.spacing = {g.spacing[1], g.spacing[0], g.spacing[2]};
        swapped.direction = {0, -1, 0, -1, 0, 0, 0, 0, 1};  // i toward anterior, j toward right
        swapped.origin = g.indexToPhysical(
            {static_cast<double>(g.size[0] - 1), static_cast<double>(g.size[1] - 1), 0.0});
        io::Study stored;
        for (const io::Channel c : io::kAllChannels) {
            stored.setChannel(c, io::mapBetweenGrids(lps.channel(c), swapped));
        }
        io::writeImageStudy(stored, test::toPath(dir_.filePath("swapped")));

        app::StudyLoader loader;
        std::shared_ptr<const io::Study> loaded;
        connect(
            &loader, &app::StudyLoader::loaded, this,
            [&](const std::shared_ptr<const io::Study>& study, const QString&) { loaded = study; });
        loader.load(dir_.filePath("swapped"), QStringLiteral("swapped"));
        QTRY_VERIFY_WITH_TIMEOUT(loaded != nullptr, 20000);
        QVERIFY2(loaded->geometry().sameGrid(g, 1e-6), loaded->geometry().describe().c_str());
        for (const io::Channel c : io::kAllChannels) {
            const auto a = loaded->channel(c).voxels();
            const auto b = lps.channel(c).voxels();
            QVERIFY(std::equal(a.begin(), a.end(), b.begin(), b.end()));
        }
        QVERIFY(loaded->metadata.report.back().find("reordered") != std::string::npos);
    }

    void notBusyWhenTheResultArrives() {
        app::StudyLoader loader;
        QStringList loaded;
        QList<bool> busyInSlot;
        connect(&loader, &app::StudyLoader::loaded, this,
                [&](const std::shared_ptr<const io::Study>&, const QString& label) {
                    busyInSlot << loader.busy();
                    loaded << label;
                    if (label == QStringLiteral("first")) {
                        loader.load(dir_.filePath("T"), QStringLiteral("second"));  // chained
                    }
                });
        loader.load(dir_.filePath("S"), QStringLiteral("first"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 20000);
        QCOMPARE(loaded, (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
        QCOMPARE(busyInSlot, (QList<bool>{false, false}));
        QVERIFY(!loader.busy());
    }

    void failureEndsBusyToo() {
        app::StudyLoader loader;
        QStringList failed;
        bool busyInSlot = true;
        connect(&loader, &app::StudyLoader::failed, this, [&](const QString& message, bool) {
            busyInSlot = loader.busy();
            failed << message;
        });
        loader.load(dir_.filePath("missing"), QStringLiteral("missing"));
        QVERIFY(QThreadPool::globalInstance()->waitForDone(60000));
        QVERIFY(loader.busy());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
        QVERIFY2(failed.first().contains(QStringLiteral("missing")), qPrintable(failed.first()));
        QVERIFY(!busyInSlot);
        QVERIFY(!loader.busy());
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestStudyLoader)
#include "TestStudyLoader.moc"
