// RunProgress: the fraction done and the time left of a run whose stages' epochs cost
// differently, with members side by side, work between epochs and resumed runs. Times are
// passed in: no test here reads a clock.
#include "breastmsc/ml/RunProgress.h"

#include <QtTest>

#include <array>
#include <cmath>

using namespace bmsc::ml;

namespace {

bool near(double a, double b) {
    return std::abs(a - b) < 1e-9;
}

/// The estimate's ETA and fraction, with both in the failure message.
void expect(const RunProgress::Estimate& e, double eta, double fraction) {
    QVERIFY2(near(e.etaSeconds, eta) && near(e.fraction, fraction),
             qPrintable(QString("ETA %1 s, fraction %2; expected %3 s, %4")
                            .arg(e.etaSeconds)
                            .arg(e.fraction)
                            .arg(eta)
                            .arg(fraction)));
}

/// A RunProgress with its plan, whose first epoch starts at `t`.
RunProgress started(std::array<int, 2> epochs, std::array<double, 2> cost, double t = 0.0) {
    RunProgress p;
    p.plan(epochs, cost);
    p.start(t);
    return p;
}

/// One member's epochs of `stage`, `seconds` each, from `t`, reported at every half epoch as
/// Trainer does at its batch ends; returns the time after them.
double runEpochs(RunProgress& p, int stage, int epochs, double seconds, double t,
                 double* lowestFraction = nullptr) {
    for (int e = 0; e < epochs; ++e) {
        p.partial(0, stage, 0.5, seconds / 2);
        const auto mid = p.estimate(t + seconds / 2);
        if (lowestFraction != nullptr) {
            *lowestFraction = std::min(*lowestFraction, mid.fraction);
        }
        t += seconds;
        p.epochDone(0, stage, seconds);
    }
    return t;
}

}  // namespace

class TestRunProgress : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stage2EpochsCountAtTheirOwnCost() {
        // 10 Stage 1 epochs of 1 s, then 5 Stage 2 epochs of 2 s: 20 s of work. Counting
        // epochs alike, 11 epochs in 12 s would leave 4 × 1.09 s; the time left is 8 s.
        auto p = started({10, 5}, {1.0, 3.0});  // a guess off by half: Stage 2 at 3 Stage 1 epochs
        double t = runEpochs(p, 1, 10, 1.0, 0.0);
        QCOMPARE(t, 10.0);
        // Stage 2 under way, not yet finished once: its first half-epoch extrapolated.
        p.partial(0, 2, 0.5, 1.0);
        expect(p.estimate(11.0), 9.0, 11.0 / 20.0);
        p.epochDone(0, 2, 2.0);
        expect(p.estimate(12.0), 8.0, 12.0 / 20.0);
        t = runEpochs(p, 2, 4, 2.0, 12.0);
        expect(p.estimate(t), 0.0, 1.0);
    }

    void untimedStageUsesThePlannedRelativeCost() {
        auto p = started({10, 5}, {4096.0 * 200, 65536.0 * 25});  // Stage 2 epochs 2× Stage 1's
        runEpochs(p, 1, 5, 1.0, 0.0);
        expect(p.estimate(5.0), 5.0 + 10.0, 5.0 / 20.0);
        // Nothing timed at all: the fraction from the guess, no ETA.
        RunProgress fresh;
        fresh.plan({10, 5}, {1.0, 2.0});
        fresh.skip(1, 10);
        const auto f = fresh.estimate(0.0);
        QVERIFY(f.etaSeconds < 0.0);
        QVERIFY(near(f.fraction, 0.5));
    }

    void membersSideBySideShareTheWall() {
        // Two members on their own threads, each epoch 2 s of its thread, both at once: the
        // wall advances 2 s per pair of epochs.
        auto p = started({10, 0}, {1.0, 1.0});
        for (int pair = 0; pair < 2; ++pair) {
            const double t = 2.0 * pair;
            p.partial(0, 1, 0.5, 1.0);
            p.partial(1, 1, 0.5, 1.0);
            const auto mid = p.estimate(t + 1.0);
            if (pair == 0) {
                QVERIFY(mid.etaSeconds < 0.0);  // no epoch finished yet
                QVERIFY(near(mid.fraction, 0.1));
            } else {
                // 7 epochs left, two at a time, 2 s each.
                QVERIFY2(near(mid.etaSeconds, 7.0), qPrintable(QString::number(mid.etaSeconds)));
            }
            p.epochDone(0, 1, 2.0);
            p.epochDone(1, 1, 2.0);
        }
        expect(p.estimate(4.0), 6.0, 0.4);
    }

    void workBetweenEpochsLengthensTheEta() {
        // Epochs of 1 s with 0.5 s of checkpoints and tests after each: 1.5 s of wall apiece.
        auto p = started({8, 0}, {1.0, 1.0});
        for (int e = 0; e < 4; ++e) {
            p.epochDone(0, 1, 1.0);
        }
        expect(p.estimate(6.0), 6.0, 0.5);
    }

    void resumedRunsCountSkippedWorkButTimeOnlyTheirOwn() {
        RunProgress p;
        p.plan({10, 0}, {1.0, 1.0});
        p.skip(1, 6);  // an earlier process did 6 epochs
        p.start(100.0);
        p.epochDone(0, 1, 1.0);
        expect(p.estimate(101.0), 3.0, 0.7);
    }

    void fractionNeverGoesBack() {
        // The guess says Stage 2 is cheap; timing it shows it dear, which would move the
        // work done so far to a smaller share of the whole. The shown fraction holds instead.
        auto p = started({10, 10}, {1.0, 0.1});
        double lowest = 1.0;
        double t = runEpochs(p, 1, 10, 1.0, 0.0);
        const double afterStage1 = p.estimate(t).fraction;
        QVERIFY(afterStage1 > 0.9);  // by the guess: 10 of 11 units
        t = runEpochs(p, 2, 1, 5.0, t, &lowest);
        QVERIFY(lowest >= afterStage1);
        QVERIFY(p.estimate(t).fraction >= afterStage1);
        // The time left is from the timing, not the guess: 9 epochs of 5 s.
        QVERIFY(near(p.estimate(t).etaSeconds, 45.0));
    }
};

QTEST_GUILESS_MAIN(TestRunProgress)
#include "TestRunProgress.moc"
