// compareRuns and compareRunPairs (breastmsc-cli compare): two runs' out-of-fold predictions
// side by side, and pairs of runs over several cohorts, on made-up runs whose figures are worked
// out by hand.
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/RunComparison.h"
#include "breastmsc/ml/RunReport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

using namespace bmsc;
using namespace bmsc::ml;
namespace fs = std::filesystem;

namespace {

struct Breast {
    const char* patient;
    const char* side;
    int label;
    double probability;
    int fold;  // 0-based
};

// Every malignant breast above every benign one: AUROC 1.
const std::vector<Breast> kRunA{{"P1", "left", 1, 0.9, 0}, {"P1", "right", 0, 0.1, 0},
                                {"P2", "left", 1, 0.8, 0}, {"P2", "right", 0, 0.2, 0},
                                {"P3", "left", 0, 0.3, 1}, {"P3", "right", 0, 0.4, 1},
                                {"P4", "left", 1, 0.7, 1}, {"P4", "right", 0, 0.6, 1}};

void writeRun(const fs::path& run, const std::vector<Breast>& breasts) {
    std::vector<FoldPredictions> folds(2);
    for (const auto& b : breasts) {
        auto& p = folds[static_cast<std::size_t>(b.fold)];
        p.fold = b.fold;
        p.patientIds.push_back(b.patient);
        p.sides.push_back(b.side);
        p.lesions.push_back(-1);
        p.labels.push_back(b.label);
        p.probabilities.push_back(b.probability);
    }
    for (const auto& p : folds) {
        const auto folder = run / ("fold" + std::to_string(p.fold + 1));
        fs::create_directories(folder);
        writePredictions(folder / "predictions.csv", p);
    }
}

std::string errorOf(const fs::path& a, const fs::path& b, io::ErrorCode* code = nullptr) {
    try {
        compareRuns(a, b, 200);
    } catch (const io::IoError& e) {
        if (code != nullptr) {
            *code = e.code();
        }
        return e.what();
    }
    return {};
}

}  // namespace

class TestRunComparison : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        root_ = dir_.path().toStdString();
        writeRun(root_ / "a", kRunA);
    }

    void aRunEqualsItself() {
        const auto c = compareRuns(root_ / "a", root_ / "a", 500);
        QCOMPARE(c.patients, 4);
        QCOMPARE(c.breasts, 8);
        QCOMPARE(c.pooledA, 1.0);
        QCOMPARE(c.pooledB, 1.0);
        QCOMPARE(c.difference.low, 0.0);
        QCOMPARE(c.difference.high, 0.0);
        QCOMPARE(c.shareAtMostZero, 1.0);
        QCOMPARE(c.folds.size(), std::size_t(2));
        QCOMPARE(c.foldDifference.mean, 0.0);
    }

    void oneCancerScoredLowerCostsItsPairs() {
        // B: P4's cancer at 0.35, below P3's 0.4 and P4's own 0.6 benign breasts: 13 of the 15
        // pairs in order (pooled 13/15); in fold 2 it beats one of three benign breasts (1/3).
        auto b = kRunA;
        b[6].probability = 0.35;
        writeRun(root_ / "b", b);
        const auto c = compareRuns(root_ / "a", root_ / "b", 2000, 0.95, 7);
        QCOMPARE(c.pooledA, 1.0);
        QVERIFY(std::abs(c.pooledB - 13.0 / 15.0) < 1e-12);
        // B is never better than A; draws without P4 tie.
        QCOMPARE(c.difference.low, 0.0);
        QVERIFY(c.difference.high > 0.1);
        QVERIFY(c.shareAtMostZero > 0.1 && c.shareAtMostZero < 0.6);
        QCOMPARE(c.resamples, 2000);
        QCOMPARE(c.folds.size(), std::size_t(2));
        QCOMPARE(c.folds[0].breasts, 4);
        QCOMPARE(c.folds[0].aurocB, 1.0);
        QVERIFY(std::abs(c.folds[1].aurocB - 1.0 / 3.0) < 1e-12);
        QVERIFY(std::abs(c.foldDifference.mean - 1.0 / 3.0) < 1e-12);
        QVERIFY(std::abs(c.foldDifference.std - std::sqrt(2.0) / 3.0) < 1e-12);
        // The same seed draws the same interval; the comparison is antisymmetric.
        const auto again = compareRuns(root_ / "a", root_ / "b", 2000, 0.95, 7);
        QCOMPARE(again.difference.high, c.difference.high);
        QCOMPARE(again.shareAtMostZero, c.shareAtMostZero);
        const auto swapped = compareRuns(root_ / "b", root_ / "a", 2000, 0.95, 7);
        QCOMPARE(swapped.difference.low, -c.difference.high);
    }

    void otherFoldsGivePooledFiguresOnly() {
        auto b = kRunA;
        b[2].fold = 1;  // P2 left tested in fold 2
        b[4].fold = 0;
        writeRun(root_ / "c", b);
        const auto c = compareRuns(root_ / "a", root_ / "c", 200);
        QVERIFY(c.folds.empty());
        QCOMPARE(c.pooledB, 1.0);
    }

    // Pairs over cohorts: the mean of the pooled differences, and a bootstrap that redraws each
    // cohort's patients. Runs b (P4's cancer scored low) and a are written above.
    void pairsOverCohorts() {
        const auto one = compareRuns(root_ / "a", root_ / "b", 2000, 0.95, 7);
        // One pair: its comparison, and an interval drawn exactly as compareRuns draws it.
        const auto single = compareRunPairs({{root_ / "a", root_ / "b"}}, 2000, 0.95, 7);
        QCOMPARE(single.cohorts.size(), std::size_t(1));
        QCOMPARE(single.cohorts[0].difference.high, one.difference.high);
        QCOMPARE(single.difference.low, one.difference.low);
        QCOMPARE(single.difference.high, one.difference.high);
        QCOMPARE(single.shareAtMostZero, one.shareAtMostZero);
        QVERIFY(std::abs(single.meanDifference - 2.0 / 15.0) < 1e-12);

        // (a, b) on two cohorts: the same mean; a tie now needs both cohorts' draws to tie, so
        // fewer resamples have A <= B than one cohort's; each pair as it is on its own.
        const auto twice = compareRunPairs({{root_ / "a", root_ / "b"}, {root_ / "a", root_ / "b"}},
                                           2000, 0.95, 7);
        QVERIFY(std::abs(twice.meanDifference - 2.0 / 15.0) < 1e-12);
        QCOMPARE(twice.cohorts[1].difference.high, one.difference.high);
        QCOMPARE(twice.difference.low, 0.0);
        QVERIFY(twice.shareAtMostZero < one.shareAtMostZero * 0.75);
        QVERIFY(twice.difference.high <= one.difference.high);
        QCOMPARE(twice.resamples, 2000);

        // (a, b) beside (a, a): half the difference, and never below zero.
        const auto withEqual = compareRunPairs(
            {{root_ / "a", root_ / "b"}, {root_ / "a", root_ / "a"}}, 2000, 0.95, 7);
        QVERIFY(std::abs(withEqual.meanDifference - 1.0 / 15.0) < 1e-12);
        QCOMPARE(withEqual.difference.low, 0.0);
        QVERIFY(withEqual.difference.high < one.difference.high);

        // (a, b) against (b, a): they cancel.
        const auto opposite = compareRunPairs(
            {{root_ / "a", root_ / "b"}, {root_ / "b", root_ / "a"}}, 2000, 0.95, 7);
        QVERIFY(std::abs(opposite.meanDifference) < 1e-12);
        QVERIFY(opposite.difference.low < 0.0 && opposite.difference.high > 0.0);

        // No pair, or a pair of other cohorts among them, is refused, naming the run.
        QVERIFY_THROWS_EXCEPTION(io::IoError, compareRunPairs({}));
        fs::create_directories(root_ / "none");
        try {
            compareRunPairs({{root_ / "a", root_ / "b"}, {root_ / "none", root_ / "a"}}, 200);
            QFAIL("a run without predictions was compared");
        } catch (const io::IoError& e) {
            QCOMPARE(e.code(), io::ErrorCode::NotFound);
            QVERIFY2(std::string(e.what()).find("none") != std::string::npos, e.what());
        }
    }

    void runsOfOtherCohortsAreRefused() {
        io::ErrorCode code{};
        auto fewer = kRunA;
        fewer.pop_back();
        writeRun(root_ / "fewer", fewer);
        auto e = errorOf(root_ / "a", root_ / "fewer", &code);
        QCOMPARE(code, io::ErrorCode::InvalidValue);
        QVERIFY2(
            e.find("fewer") != std::string::npos && e.find("other breasts") != std::string::npos,
            e.c_str());
        auto relabelled = kRunA;
        relabelled[5].label = 1;
        writeRun(root_ / "relabelled", relabelled);
        e = errorOf(root_ / "a", root_ / "relabelled", &code);
        QCOMPARE(code, io::ErrorCode::InvalidValue);
        QVERIFY2(e.find("labels P3 right otherwise") != std::string::npos, e.c_str());
        fs::create_directories(root_ / "empty");
        e = errorOf(root_ / "empty", root_ / "a", &code);
        QCOMPARE(code, io::ErrorCode::NotFound);
        QVERIFY2(e.find("empty") != std::string::npos, e.c_str());
        auto twice = kRunA;
        twice.push_back({"P1", "left", 1, 0.5, 1});
        writeRun(root_ / "twice", twice);
        e = errorOf(root_ / "twice", root_ / "a", &code);
        QVERIFY2(e.find("more than one fold") != std::string::npos, e.c_str());
    }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "TestRunComparison.moc"
