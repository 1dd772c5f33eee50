// StudyLoader's busy() against the delivery of its result: it stays true after the worker has
// finished until the result has reached the loader's thread, so that no second load starts in
// between; it is false in the slots that receive the result, which may start the next load.
#include "RampStudy.h"
#include "StudyLoader.h"
#include "TestSupport.h"

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
