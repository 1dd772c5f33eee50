// The learning curves of a run (RUN/curves.csv, curves.svg): every epoch the observer saw, as
// the checkpoints record it; rewritten by evaluate; a corrupt checkpoint is named.
#include "TinyCohort.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/LearningCurves.h"
#include "breastmsc/ml/TrainingRun.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace bmsc;
using namespace bmsc::ml;
namespace fs = std::filesystem;

namespace {

class Recorder : public TrainingObserver {
public:
    void epochDone(const EpochSummary& s) override { epochs.push_back(s); }
    std::vector<EpochSummary> epochs;
};

std::string contents(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

}  // namespace

class TestLearningCurves : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        root_ = dir_.path().toStdString();
        bmsc::test::makeTinyCohort(root_ / "cohort", 8);
    }

    void curvesHoldEveryEpochTheObserverSaw() {
        auto config = bmsc::test::tinyConfig();
        config.stage1.epochs = 3;
        config.stage2.epochs = 2;
        config.selection = SelectionMetric::Last;
        config.validationInterval = 2;    // validated: epochs 2 and 3 of Stage 1, 2 of Stage 2
        config.validationFraction = 0.5;  // a patient of each class (2 of 4 per fold) validates
        RunOptions o;
        o.cohort = root_ / "cohort";
        o.out = root_ / "run";
        o.cache = root_ / "cache";
        Recorder recorder;
        runCrossValidation(config, o, &recorder);
        QCOMPARE(recorder.epochs.size(), std::size_t(2 * (3 + 2)));

        const auto table = io::CsvTable::read(o.out / "curves.csv");
        QCOMPARE(table.rowCount(), recorder.epochs.size());
        const auto col = [&](const char* name) { return *table.column(name); };
        int validated = 0;
        for (const auto& e : recorder.epochs) {
            // The row of this fold, stage and epoch (1-based in the file).
            std::size_t match = table.rowCount();
            for (std::size_t r = 0; r < table.rowCount(); ++r) {
                const auto& row = table.row(r);
                if (std::stoi(row[col("fold")]) == e.fold + 1 &&
                    std::stoi(row[col("stage")]) == e.stage &&
                    std::stoi(row[col("epoch")]) == e.epoch + 1) {
                    QCOMPARE(match, table.rowCount());  // one row only
                    match = r;
                }
            }
            QVERIFY2(match < table.rowCount(), "an epoch has no row");
            const auto& row = table.row(match);
            QCOMPARE(row[col("member")], std::string("1"));
            QVERIFY(std::abs(std::stod(row[col("train_loss")]) - e.trainLoss) < 1e-6);
            QCOMPARE(row[col("selected")], std::string(e.improved ? "1" : "0"));
            if (std::isfinite(e.validationLoss)) {
                ++validated;
                QVERIFY(std::abs(std::stod(row[col("validation_loss")]) - e.validationLoss) < 1e-6);
            } else {
                QVERIFY(row[col("validation_loss")].empty());
                QVERIFY(row[col("validation_auroc")].empty());
            }
        }
        QCOMPARE(validated, 2 * (2 + 1));
        // Stage 1's rows come before Stage 2's.
        QCOMPARE(table.row(0)[col("stage")], std::string("1"));
        QCOMPARE(table.row(table.rowCount() - 1)[col("stage")], std::string("2"));

        // The figure: both stages, a training-loss line per fold and stage, two folds listed.
        const auto svg = contents(o.out / "curves.svg");
        QVERIFY(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        for (const char* title : {"Stage 1: loss", "Stage 1: validation AUROC", "Stage 2: loss",
                                  "Stage 2: validation AUROC", "fold 1", "fold 2"}) {
            QVERIFY2(svg.find(title) != std::string::npos, title);
        }
        QVERIFY(svg.find("fold 3") == std::string::npos);
        // Per fold and stage: training loss, validation loss, validation AUROC.
        QCOMPARE(count(svg, "<polyline"), 2 * 2 * 3);
        QCOMPARE(count(svg, "stroke-dasharray"), 2 * 2);

        // evaluate writes the same curves again from the checkpoints.
        const auto before = contents(o.out / "curves.csv");
        fs::remove(o.out / "curves.csv");
        fs::remove(o.out / "curves.svg");
        evaluateRun(o.out);
        QCOMPARE(contents(o.out / "curves.csv"), before);
        QCOMPARE(contents(o.out / "curves.svg"), svg);

        // A corrupt checkpoint: evaluate names it.
        {
            std::ofstream garbage(o.out / "fold2" / "stage1_last.pt", std::ios::trunc);
            garbage << "not a checkpoint";
        }
        try {
            evaluateRun(o.out);
            QFAIL("a corrupt checkpoint was read");
        } catch (const io::IoError& e) {
            QVERIFY2(std::string(e.what()).find("stage1_last.pt") != std::string::npos, e.what());
        }
        QCOMPARE(contents(o.out / "curves.csv"), before);  // the old curves stay whole
    }

    void noCheckpointsNoCurves() {
        const auto folder = root_ / "empty";
        fs::create_directories(folder / "fold1");
        const auto epochs = readLearningCurves({{0, 0, folder / "fold1"}});
        QVERIFY(epochs.empty());
        writeLearningCurves(folder, epochs);
        QVERIFY(!fs::exists(folder / "curves.csv"));
        QVERIFY(!fs::exists(folder / "curves.svg"));
    }
};

QTEST_GUILESS_MAIN(TestLearningCurves)
#include "TestLearningCurves.moc"
