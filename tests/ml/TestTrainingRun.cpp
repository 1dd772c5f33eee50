// End-to-end training runs on a tiny generated cohort: files written, determinism, resume after
// an interruption, cancellation, and clear errors for bad input.
#include "CheckpointTensors.h"
#include "TinyCohort.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/Checkpoint.h"
#include "breastmsc/ml/Inference.h"
#include "breastmsc/ml/PreparedCohort.h"
#include "breastmsc/ml/RunReport.h"
#include "breastmsc/ml/TensorConversion.h"
#include "breastmsc/ml/TrainingRun.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <span>

using namespace bmsc;
using namespace bmsc::ml;
namespace fs = std::filesystem;
using bmsc::test::batchStatistics;
using bmsc::test::sameWeights;
using bmsc::test::weights;
using nlohmann::json;

namespace {

/// Cancels once the run reaches (stage, epoch, batch).
class CancelAt : public TrainingObserver {
public:
    CancelAt(int stage, int epoch, std::int64_t batch)
        : stage_(stage), epoch_(epoch), batch_(batch) {}
    void batchDone(const TrainingProgress& p) override {
        ++batches;
        QVERIFY(p.fraction >= 0.0 && p.fraction <= 1.0);
        if (p.stage == stage_ && p.epoch == epoch_ && p.batch >= batch_) {
            cancel_ = true;
        }
    }
    void epochDone(const EpochSummary& s) override {
        ++epochs;
        QVERIFY(s.dataWaitSeconds >= 0.0 && s.computeSeconds > 0.0);
        QVERIFY(s.validationSeconds >= 0.0);
        QCOMPARE(s.windowSeconds, 0.0);  // no Stage 2 over windows here
    }
    bool cancelled() const override { return cancel_; }
    int batches = 0;
    int epochs = 0;

private:
    int stage_, epoch_;
    std::int64_t batch_;
    bool cancel_ = false;
};

json readJson(const fs::path& file) {
    std::ifstream in(file);
    json j;
    in >> j;
    return j;
}

io::ErrorCode errorCode(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const io::IoError& e) {
        if (message != nullptr) {
            *message = e.what();
        }
        return e.code();
    }
    return io::ErrorCode::NotFound;  // "no error" is reported as a code the callers never expect
}

}  // namespace

class TestTrainingRun : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root_;
    fs::path cohort_;
    fs::path cache_;

    RunOptions options(const std::string& name, bool resume = false) const {
        RunOptions o;
        o.cohort = cohort_;
        o.out = root_ / name;
        o.cache = cache_;
        o.resume = resume;
        return o;
    }

    /// Options for a run of the first fold only.
    RunOptions oneFold(const std::string& name, bool resume = false) const {
        auto o = options(name, resume);
        o.maxFolds = 1;
        return o;
    }

    /// The per-fold metrics a run wrote.
    json foldsOf(const std::string& run) const {
        return readJson(root_ / run / "metrics.json").at("folds");
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (qEnvironmentVariableIsSet("BMSC_KEEP_TEST_DIR")) {
            dir_.setAutoRemove(false);
            qInfo("keeping %s", qPrintable(dir_.path()));
        }
        root_ = dir_.path().toStdString();
        cohort_ = root_ / "cohort";
        cache_ = root_ / "cache";
        bmsc::test::makeTinyCohort(cohort_, 6);
    }

    void curriculumRunWritesEverything() {
        const auto config = bmsc::test::tinyConfig();
        const auto result = runCrossValidation(config, options("a"));
        const auto run = root_ / "a";
        for (const char* f : {"config.json", "run.json", "folds.json", "train.log", "metrics.json",
                              "metrics.csv", "roc.csv", "roc.svg"}) {
            QVERIFY2(fs::exists(run / f), f);
        }
        for (int k = 1; k <= 2; ++k) {
            const auto fold = run / ("fold" + std::to_string(k));
            for (const char* f : {"stage1_best.pt", "stage1_last.pt", "stage2_best.pt",
                                  "stage2_last.pt", "predictions.csv", "fold.json"}) {
                QVERIFY2(fs::exists(fold / f), f);
            }
            const auto meta = readCheckpointMeta(fold / "stage2_last.pt");
            QCOMPARE(meta.at("epochs_done").get<int>(), 1);
            QCOMPARE(meta.at("stage").get<int>(), 2);
            QVERIFY(meta.at("finished").get<bool>());
            QCOMPARE(meta.at("cohort_hash").get<std::string>(),
                     result.metrics.at("cohort_hash").get<std::string>());
            QCOMPARE(meta.at("config").at("width").get<int>(), 16);
            QCOMPARE(meta.at("history").size(), std::size_t(1));
        }
        // Every labelled breast is predicted exactly once over the test folds.
        std::set<std::string> predicted;
        std::size_t rows = 0;
        for (int k = 0; k < 2; ++k) {
            const auto p =
                readPredictions(run / ("fold" + std::to_string(k + 1)) / "predictions.csv", k);
            for (std::size_t i = 0; i < p.probabilities.size(); ++i) {
                QVERIFY(p.probabilities[i] >= 0.0 && p.probabilities[i] <= 1.0);
                QVERIFY(p.labels[i] == 0 || p.labels[i] == 1);
                predicted.insert(p.patientIds[i] + "/" + p.sides[i]);
                ++rows;
            }
        }
        QCOMPARE(rows, std::size_t(12));
        QCOMPARE(predicted.size(), std::size_t(12));
        QCOMPARE(result.metrics.at("folds").size(), std::size_t(2));
        QVERIFY(result.metrics.at("auroc").contains("mean"));
        QCOMPARE(readJson(run / "metrics.json"), result.metrics);
        // evaluate recomputes the same metrics from the predictions.
        const auto again = evaluateRun(run);
        QCOMPARE(again.at("folds"), result.metrics.at("folds"));
        QVERIFY(!formatMetricsTable(again).empty());
        // An existing run is not overwritten without --resume.
        QCOMPARE(errorCode([&] { runCrossValidation(config, options("a")); }),
                 io::ErrorCode::InvalidArgument);
        // Resuming a finished run changes nothing.
        const auto resumed = runCrossValidation(config, options("a", true));
        QCOMPARE(resumed.metrics.at("folds"), result.metrics.at("folds"));
    }

    void sameSeedSameMetricsOtherModes() {
        auto config = bmsc::test::tinyConfig();
        config.mode = TrainingMode::Naive;
        auto first = options("naive1");
        auto second = options("naive2");
        first.maxFolds = second.maxFolds = 1;
        const auto a = runCrossValidation(config, first);
        const auto b = runCrossValidation(config, second);
        QCOMPARE(a.metrics.at("folds"), b.metrics.at("folds"));
        QVERIFY(sameWeights(weights(root_ / "naive1/fold1/stage2_last.pt", config),
                            weights(root_ / "naive2/fold1/stage2_last.pt", config)));
        QVERIFY(!fs::exists(root_ / "naive1/fold1/stage1_last.pt"));
        config.mode = TrainingMode::Stage1;
        auto patches = oneFold("stage1");
        runCrossValidation(config, patches);
        const auto p = readPredictions(root_ / "stage1/fold1/predictions.csv", 0);
        QVERIFY(!p.lesions.empty());
        QVERIFY(p.lesions.front() >= 0);  // patch predictions name their lesion
        QVERIFY(!fs::exists(root_ / "stage1/fold1/stage2_last.pt"));
    }

    void withoutValidationEveryNonTestPatientTrains() {
        // validation_fraction 0: no validation set, the last epoch is the model, and the fold's
        // record says so (no validation figures) instead of failing on an empty set.
        auto config = bmsc::test::tinyConfig();
        config.validationFraction = 0.0;
        config.selection = SelectionMetric::Last;
        config.stage1.patience = config.stage2.patience = 0;
        auto o = oneFold("novalidation");
        const auto result = runCrossValidation(config, o);
        const auto folds = readJson(root_ / "novalidation/folds.json");
        QVERIFY(folds[0].at("validation").empty());
        QCOMPARE(folds[0].at("train").size() + folds[0].at("test").size(), std::size_t(6));
        const auto fold = readJson(root_ / "novalidation/fold1/fold.json");
        QVERIFY(fold.at("stage2").at("best_validation_auroc").is_null());
        QCOMPARE(fold.at("stage2").at("best_epoch").get<int>(), config.stage2.epochs);
        const auto p = readPredictions(root_ / "novalidation/fold1/predictions.csv", 0);
        QCOMPARE(p.probabilities.size(), 2 * folds[0].at("test").size());
        QVERIFY(result.metrics.at("auroc").contains("mean"));
    }

    void mirrorTestAugmentationReachesThePredictions() {
        // "test_augmentation": "mirror": the run's test predictions are the mean over the breast
        // and its mirror image, predict with the run's setting reproduces them, predict with
        // none does not.
        auto config = bmsc::test::tinyConfig();
        config.mode = TrainingMode::Naive;
        config.testAugmentation = TestAugmentation::Mirror;
        auto o = oneFold("mirror");
        runCrossValidation(config, o);
        const auto run = root_ / "mirror";
        const auto p = readPredictions(run / "fold1/predictions.csv", 0);
        QVERIFY(!p.probabilities.empty());
        auto asRun = InferenceModel::load(run);
        InferenceOptions noneOptions;
        noneOptions.testAugmentation = TestAugmentation::None;
        auto none = InferenceModel::load(run, noneOptions);
        const auto cohort = io::Cohort::open(cohort_);
        double change = 0.0;
        for (std::size_t i = 0; i < p.probabilities.size(); ++i) {
            const auto& id = p.patientIds[i];
            const auto model = asRun.modelForTestPatient(id);
            QVERIFY(model);
            const auto pre = asRun.preprocess(cohort.loadStudy(id));
            const auto side = p.sides[i] == "left" ? io::Side::Left : io::Side::Right;
            const double mirrored = asRun.predict(pre, model).breast(side).probability;
            QVERIFY2(std::abs(mirrored - p.probabilities[i]) < 1e-5,
                     qPrintable(QString("%1 vs %2").arg(mirrored).arg(p.probabilities[i])));
            change = std::max(
                change, std::abs(none.predict(pre, model).breast(side).probability - mirrored));
        }
        QVERIFY2(change > 1e-4, qPrintable(QString::number(change)));
    }

    void ensembleAveragesItsMembers() {
        // "ensemble": 2 trains two networks per fold; member 1 is the single network of the
        // same config, member 2 another draw; the fold's predictions are their mean, and
        // predict on the run reproduces them.
        auto config = bmsc::test::tinyConfig();
        auto single = oneFold("single");
        runCrossValidation(config, single);
        config.ensemble = 2;
        auto o = oneFold("ensemble");
        struct Members final : TrainingObserver {
            std::set<std::pair<int, int>> progress;  // (member, members)
            std::set<int> epochs;
            double firstMemberEnd = 0.0;  // the run's fraction done when member 1 ends
            double lastFraction = 0.0;
            void batchDone(const TrainingProgress& p) override {
                progress.insert({p.member, p.members});
                if (p.member == 0) {
                    firstMemberEnd = p.fraction;
                }
                lastFraction = p.fraction;
            }
            void epochDone(const EpochSummary& s) override { epochs.insert(s.member); }
        } members;
        runCrossValidation(config, o, &members);
        QVERIFY((members.progress == std::set<std::pair<int, int>>{{0, 2}, {1, 2}}));
        QVERIFY((members.epochs == std::set<int>{0, 1}));
        // Progress plans both members: half the run is done when member 1 ends.
        QVERIFY2(
            std::abs(members.firstMemberEnd - 0.5) < 0.01 && members.lastFraction > 0.99,
            qPrintable(QString("%1 %2").arg(members.firstMemberEnd).arg(members.lastFraction)));
        const auto fold = root_ / "ensemble/fold1";
        for (const char* f : {"stage1_best.pt", "stage2_best.pt", "stage2_last.pt"}) {
            QVERIFY2(fs::exists(fold / f), f);
            QVERIFY2(fs::exists(fold / "member2" / f), f);
        }
        QVERIFY(!fs::exists(fold / "member3"));
        QCOMPARE(readJson(fold / "fold.json").at("members").size(), std::size_t(2));
        QCOMPARE(readCheckpointMeta(fold / "member2/stage2_last.pt").at("member").get<int>(), 1);
        QVERIFY(sameWeights(weights(root_ / "single/fold1/stage2_last.pt", config),
                            weights(fold / "stage2_last.pt", config)));
        QVERIFY(!sameWeights(weights(fold / "stage2_last.pt", config),
                             weights(fold / "member2/stage2_last.pt", config)));

        const auto p = readPredictions(fold / "predictions.csv", 0);
        QVERIFY(!p.probabilities.empty());
        auto run = InferenceModel::load(root_ / "ensemble");
        QCOMPARE(run.models().front().networks.size(), std::size_t(2));
        auto first = InferenceModel::load(fold / "stage2_best.pt");
        auto second = InferenceModel::load(fold / "member2/stage2_best.pt");
        const auto cohort = io::Cohort::open(cohort_);
        double spread = 0.0;
        for (std::size_t i = 0; i < p.probabilities.size(); ++i) {
            const auto pre = run.preprocess(cohort.loadStudy(p.patientIds[i]));
            const auto side = p.sides[i] == "left" ? io::Side::Left : io::Side::Right;
            const double a = first.predict(pre).breast(side).probability;
            const double b = second.predict(pre).breast(side).probability;
            spread = std::max(spread, std::abs(a - b));
            QVERIFY2(std::abs((a + b) / 2 - p.probabilities[i]) < 1e-5,
                     qPrintable(QString("%1, %2 vs %3").arg(a).arg(b).arg(p.probabilities[i])));
            const auto model = run.modelForTestPatient(p.patientIds[i]);
            QVERIFY(model);
            QVERIFY(std::abs(run.predict(pre, model).breast(side).probability -
                             p.probabilities[i]) < 1e-5);
        }
        QVERIFY2(spread > 1e-4, qPrintable(QString::number(spread)));
        // The fold's CAM is the mean of its members' maps.
        {
            const auto pre = run.preprocess(cohort.loadStudy(p.patientIds.front()));
            const auto both = run.cam(pre, run.modelForTestPatient(p.patientIds.front()));
            const auto camA = first.cam(pre);
            const auto camB = second.cam(pre);
            const auto a = camA.breasts[0].breastMap.voxels();
            const auto b = camB.breasts[0].breastMap.voxels();
            const auto mean = both.breasts[0].breastMap.voxels();
            QCOMPARE(mean.size(), a.size());
            double error = 0.0, difference = 0.0;
            for (std::size_t v = 0; v < a.size(); ++v) {
                error = std::max(error, static_cast<double>(std::abs((a[v] + b[v]) / 2 - mean[v])));
                difference = std::max(difference, static_cast<double>(std::abs(a[v] - b[v])));
            }
            QVERIFY2(error < 1e-4 && difference > 1e-3,
                     qPrintable(QString("%1 %2").arg(error).arg(difference)));
        }
        // A missing member is a clear error, not a silently smaller ensemble.
        fs::remove(fold / "member2/stage2_best.pt");
        QCOMPARE(errorCode([&] { InferenceModel::load(root_ / "ensemble"); }),
                 io::ErrorCode::NotFound);
    }

    void parallelMembersTrainTheSameNetworks() {
        // "parallel_members": 2 trains the two members side by side, one thread each: the
        // same weights and predictions as one after the other on one thread, progress over
        // both, and a cancel stops both.
        auto config = bmsc::test::tinyConfig();
        config.ensemble = 2;
        config.ensembleInputs = {InputKind::Phases, InputKind::Subtractions};
        config.threads = 1;
        auto sequential = oneFold("members-sequential");
        runCrossValidation(config, sequential);
        config.threads = 2;
        config.parallelMembers = 2;
        auto parallel = oneFold("members-parallel");
        CancelAt never(99, 0, 0);
        runCrossValidation(config, parallel, &never);
        QCOMPARE(never.epochs, 4);  // 2 members × 2 stages × 1 epoch
        for (const auto* member : {"", "member2/"}) {
            const auto file = std::string("fold1/") + member + "stage2_last.pt";
            QVERIFY2(sameWeights(weights(root_ / "members-sequential" / file, config),
                                 weights(root_ / "members-parallel" / file, config)),
                     file.c_str());
        }
        QCOMPARE(foldsOf("members-parallel"), foldsOf("members-sequential"));
        QCOMPARE(torch::get_num_threads(), 2);  // restored after the members' threads

        auto cancelled = oneFold("members-cancelled");
        CancelAt cancel(1, 0, 0);
        QCOMPARE(errorCode([&] { runCrossValidation(config, cancelled, &cancel); }),
                 io::ErrorCode::Cancelled);
        QVERIFY(!fs::exists(root_ / "members-cancelled/fold1/stage2_last.pt"));
        QVERIFY(!fs::exists(root_ / "members-cancelled/fold1/member2/stage2_last.pt"));
    }

    void ensembleInputsGiveEachMemberItsInput() {
        // "ensemble_inputs": member 1 sees the subtractions, member 2 the kinetics, each scaled
        // by its own input's spread; predict loads each member with its input and reproduces
        // the fold's predictions (with one input for both it would not).
        auto config = bmsc::test::tinyConfig();
        config.mode = TrainingMode::Naive;
        config.network.inputScaling = InputScaling::Channel;
        config.ensemble = 2;
        config.ensembleInputs = {InputKind::Subtractions, InputKind::Kinetics};
        auto o = oneFold("inputs");
        runCrossValidation(config, o);
        const auto fold = root_ / "inputs/fold1";
        auto first = InferenceModel::load(fold / "stage2_best.pt");
        auto second = InferenceModel::load(fold / "member2/stage2_best.pt");
        const auto scaleOf = [](InferenceModel& m) {
            return m.models().front().networks.front()->backbone()->inputScale().reshape({-1});
        };
        const auto a = scaleOf(first), b = scaleOf(second);
        // pre, post1 − pre, post2 − pre and T2 are the same channels in both; 3 and 4 are not.
        for (const int c : {0, 1, 2, 5}) {
            QCOMPARE(a[c].item<float>(), b[c].item<float>());
        }
        QVERIFY(a[4].item<float>() != b[4].item<float>());
        QVERIFY(first.config().memberNetwork(1).input == InputKind::Kinetics);
        const auto p = readPredictions(fold / "predictions.csv", 0);
        auto run = InferenceModel::load(root_ / "inputs");
        const auto cohort = io::Cohort::open(cohort_);
        auto wrong = config;
        wrong.ensembleInputs.clear();
        wrong.network.input = InputKind::Subtractions;
        BreastClassifier asSubtractions(wrong.network, HeadKind::WholeBreast);
        loadCheckpoint(fold / "member2/stage2_best.pt", asSubtractions);
        asSubtractions->eval();
        double misread = 0.0;
        for (std::size_t i = 0; i < p.probabilities.size(); ++i) {
            const auto pre = run.preprocess(cohort.loadStudy(p.patientIds[i]));
            const auto side = p.sides[i] == "left" ? io::Side::Left : io::Side::Right;
            const auto model = run.modelForTestPatient(p.patientIds[i]);
            QVERIFY(model);
            const double q = run.predict(pre, model).breast(side).probability;
            QVERIFY2(std::abs(q - p.probabilities[i]) < 1e-5,
                     qPrintable(QString("%1 vs %2").arg(q).arg(p.probabilities[i])));
            const double b2 = second.predict(pre).breast(side).probability;
            torch::NoGradGuard noGrad;
            const auto& breast = pre.breasts[side == io::Side::Left ? 0 : 1];
            const auto x = toTensor(std::span<const io::Volume>(breast.channels)).unsqueeze(0);
            const double misreadB2 =
                torch::softmax(asSubtractions->forward(x), 1)[0][1].item<double>();
            misread = std::max(misread, std::abs(b2 - misreadB2));
        }
        QVERIFY2(misread > 1e-4, qPrintable(QString::number(misread)));
        // One input per member, or none.
        auto bad = config;
        bad.ensembleInputs = {InputKind::Kinetics};
        QCOMPARE(errorCode([&] { bad.validate("x"); }), io::ErrorCode::InvalidArgument);
    }

    void inputScaleIsMeasuredOnTheTrainingBreasts() {
        // input_scaling "channel": 1 / standard deviation of each (subtracted) input channel over
        // the fold's training breasts, held by the checkpoint that predict and cam load.
        auto config = bmsc::test::tinyConfig();
        config.mode = TrainingMode::Naive;
        config.network.input = InputKind::Subtractions;
        config.network.inputScaling = InputScaling::Channel;
        auto o = oneFold("scaled");
        runCrossValidation(config, o);
        const auto cohort = PreparedCohort::prepare(cohort_, config.preprocess, cache_, 16);
        std::vector<std::string> train;
        const auto folds = readJson(root_ / "scaled/folds.json");
        for (const auto& id : folds[0].at("train")) {
            train.push_back(id.get<std::string>());
        }
        std::vector<torch::Tensor> voxels;
        for (const auto i : cohort->breastsOf(train)) {
            const auto x = ResNet3dBackboneImpl::transformInput(InputKind::Subtractions,
                                                                cohort->load(i).unsqueeze(0));
            voxels.push_back(x.squeeze(0).reshape({6, -1}));
        }
        const auto expected = 1.0 / torch::cat(voxels, 1).to(torch::kDouble).std(1, false);
        BreastClassifier model(config.network, HeadKind::WholeBreast);
        loadCheckpoint(root_ / "scaled/fold1/stage2_last.pt", model);
        const auto stored = model->backbone()->inputScale().reshape({-1}).to(torch::kDouble);
        QVERIFY2(
            torch::allclose(stored, expected, 1e-4, 0.0),
            qPrintable(
                QString("%1 vs %2").arg(stored[1].item<double>()).arg(expected[1].item<double>())));
        // The enhancement channels are scaled up far more than pre-contrast and T2.
        QVERIFY(stored[1].item<double>() > 3.0 * stored[0].item<double>());
        // The default network has no such buffer, and its checkpoints load as before.
        QVERIFY(!BreastClassifier(bmsc::test::tinyConfig().network, HeadKind::WholeBreast)
                     ->named_buffers()
                     .contains("backbone.input_scale"));
    }

    void cellLossAddsTheLesionTargets() {
        // "cell_loss": Stage 2 adds a cross-entropy of every cell of the max pool against the
        // lesion annotations. Its first batch starts from the same weights and items as
        // without it, so its loss is the breast loss plus a positive term; then it trains
        // other weights.
        auto config = bmsc::test::tinyConfig();
        config.mode = TrainingMode::Naive;
        config.network.breastPool = BreastPool::Max;
        config.augmentation.enabled = true;  // the targets follow each item's draw
        struct FirstLoss final : TrainingObserver {
            double loss = -1.0;
            void batchDone(const TrainingProgress& p) override {
                if (p.stage == 2 && p.epoch == 0 && p.batch == 0) {
                    loss = p.trainLoss;
                }
            }
        };
        std::array<FirstLoss, 2> first;
        for (const int withCells : {0, 1}) {
            config.cellLoss = withCells * 2.0;
            auto o = options(withCells ? "cells" : "no-cells");
            o.maxFolds = 1;
            runCrossValidation(config, o, &first[static_cast<std::size_t>(withCells)]);
        }
        QVERIFY(first[0].loss > 0.0);
        QVERIFY2(first[1].loss > first[0].loss + 1e-3,
                 qPrintable(QString("%1 vs %2").arg(first[1].loss).arg(first[0].loss)));
        QVERIFY(!sameWeights(weights(root_ / "cells/fold1/stage2_last.pt", config),
                             weights(root_ / "no-cells/fold1/stage2_last.pt", config)));
        QCOMPARE(readJson(root_ / "cells/config.json").at("cell_loss").get<double>(), 2.0);
    }

    void frozenBatchNormKeepsStageOneStatistics() {
        auto config = bmsc::test::tinyConfig();
        config.stage2FrozenBatchNorm = true;
        auto o = oneFold("frozen");
        runCrossValidation(config, o);
        const auto fold = root_ / "frozen/fold1";
        QVERIFY(!batchStatistics(fold / "stage1_last.pt", config).empty());
        QVERIFY(sameWeights(batchStatistics(fold / "stage1_last.pt", config),
                            batchStatistics(fold / "stage2_last.pt", config)));
        QVERIFY(!sameWeights(weights(fold / "stage1_last.pt", config),
                             weights(fold / "stage2_last.pt", config)));  // it did train
        // Without the setting (run "a"), Stage 2 moves the running statistics.
        QVERIFY(!sameWeights(batchStatistics(root_ / "a/fold1/stage1_last.pt", config),
                             batchStatistics(root_ / "a/fold1/stage2_last.pt", config)));
    }

    void resumeAfterInterruptionEqualsUninterrupted() {
        auto config = bmsc::test::tinyConfig();
        config.stage2.epochs = 2;
        auto full = oneFold("full");
        runCrossValidation(config, full);

        // Interrupted in Stage 2, epoch 2 (index 1), after its first batch.
        auto first = oneFold("interrupted");
        CancelAt cancel(2, 1, 0);
        QCOMPARE(errorCode([&] { runCrossValidation(config, first, &cancel); }),
                 io::ErrorCode::Cancelled);
        const auto fold = root_ / "interrupted/fold1";
        QCOMPARE(readCheckpointMeta(fold / "stage2_last.pt").at("epochs_done").get<int>(), 1);
        QVERIFY(fs::exists(fold / "stage2_best.pt"));  // the best model so far is kept
        QVERIFY(!fs::exists(fold / "predictions.csv"));

        // A copy of the interrupted run for the corrupt-checkpoint checks.
        fs::copy(root_ / "interrupted", root_ / "corrupt", fs::copy_options::recursive);

        auto second = oneFold("interrupted", true);
        CancelAt never(99, 0, 0);
        runCrossValidation(config, second, &never);
        // Stage 1 was finished: only Stage 2's remaining epoch ran.
        QCOMPARE(never.epochs, 1);
        QCOMPARE(readCheckpointMeta(fold / "stage2_last.pt").at("epochs_done").get<int>(), 2);
        QVERIFY(sameWeights(weights(root_ / "full/fold1/stage2_last.pt", config),
                            weights(fold / "stage2_last.pt", config)));
        QCOMPARE(foldsOf("interrupted"), foldsOf("full"));
    }

    void hardExamplesResumeAsTheyWouldHaveRun() {
        auto config = bmsc::test::tinyConfig();
        config.mode = TrainingMode::Stage1;
        config.stage1.epochs = 3;
        config.backgroundPatches = 1.0;
        runCrossValidation(config, oneFold("plain"));
        config.hardExamples = 0.5;
        runCrossValidation(config, oneFold("hard"));
        const auto last = [&](const std::string& run) {
            return weights(root_ / run / "fold1/stage1_last.pt", config);
        };
        QVERIFY(!sameWeights(last("plain"), last("hard")));  // the draws differ
        const auto losses = readCheckpointMeta(root_ / "hard/fold1/stage1_last.pt")
                                .at("sample_losses")
                                .get<std::vector<double>>();
        QVERIFY(losses.size() >= 4);  // a lesion and a background patch per lesion
        QVERIFY(std::any_of(losses.begin(), losses.end(), [](double l) { return l != 1.0; }));

        // Interrupted in epoch 3 (index 2): the resumed run draws as the uninterrupted one.
        CancelAt cancel(1, 2, 0);
        QCOMPARE(errorCode([&] { runCrossValidation(config, oneFold("hard-cut"), &cancel); }),
                 io::ErrorCode::Cancelled);
        QCOMPARE(readCheckpointMeta(root_ / "hard-cut/fold1/stage1_last.pt")
                     .at("epochs_done")
                     .get<int>(),
                 2);
        runCrossValidation(config, oneFold("hard-cut", true));
        QVERIFY(sameWeights(last("hard"), last("hard-cut")));
        QCOMPARE(foldsOf("hard-cut"), foldsOf("hard"));
    }

    void resumedStagesOfLaterFoldsLeaveThePlanAtOnce() {
        // Both folds' Stage 1 finished before an interruption, neither fold's Stage 2. The
        // resumed run's first batch (fold 1, Stage 2) counts both Stage 1s as done: with 12
        // Stage 1 epochs a fold and one Stage 2 epoch, more than half of the run's work whatever
        // a Stage 2 epoch costs up to 12 Stage 1 epochs; with fold 2's Stage 1 still planned
        // (counted only when fold 2 begins) it would read less than half.
        auto config = bmsc::test::tinyConfig();
        config.stage1.epochs = 12;
        runCrossValidation(config, options("stage1-done"));
        for (const char* fold : {"fold1", "fold2"}) {
            for (const char* name :
                 {"stage2_last.pt", "stage2_best.pt", "fold.json", "predictions.csv"}) {
                QVERIFY(fs::remove(root_ / "stage1-done" / fold / name));
            }
        }
        struct First final : TrainingObserver {
            int stage = 0;
            double fraction = -1.0;
            int epochs = 0;
            void batchDone(const TrainingProgress& p) override {
                if (fraction < 0.0) {
                    stage = p.stage;
                    fraction = p.fraction;
                }
            }
            void epochDone(const EpochSummary&) override { ++epochs; }
        } first;
        runCrossValidation(config, options("stage1-done", true), &first);
        QCOMPARE(first.epochs, 2);  // one Stage 2 epoch a fold, no Stage 1
        QCOMPARE(first.stage, 2);
        QVERIFY2(first.fraction > 0.5, std::to_string(first.fraction).c_str());
    }

    void sparseCheckpointsResumeFromTheLastWrite() {
        // Checkpoints only at the end of each stage (checkpoint_seconds far above the run's
        // length): the same best epoch and weights as with a write after every epoch, and a
        // run cancelled in Stage 2 resumes from the end of Stage 1.
        auto config = bmsc::test::tinyConfig();
        config.stage2.epochs = 3;
        auto every = oneFold("ckpt-every");
        runCrossValidation(config, every);

        config.checkpointSeconds = 86400;
        auto sparse = oneFold("ckpt-sparse");
        CancelAt cancel(2, 2, 0);
        QCOMPARE(errorCode([&] { runCrossValidation(config, sparse, &cancel); }),
                 io::ErrorCode::Cancelled);
        const auto fold = root_ / "ckpt-sparse/fold1";
        QVERIFY(readCheckpointMeta(fold / "stage1_last.pt").at("finished").get<bool>());
        QVERIFY(!fs::exists(fold / "stage2_last.pt"));  // two Stage 2 epochs ran, none written
        QVERIFY(!fs::exists(fold / "stage2_best.pt"));

        auto resumed = oneFold("ckpt-sparse", true);
        CancelAt never(99, 0, 0);
        runCrossValidation(config, resumed, &never);
        QCOMPARE(never.epochs, 3);  // Stage 2 from its start
        const auto everyFold = root_ / "ckpt-every/fold1";
        QCOMPARE(readCheckpointMeta(fold / "stage2_best.pt").at("best_epoch"),
                 readCheckpointMeta(everyFold / "stage2_best.pt").at("best_epoch"));
        QVERIFY(sameWeights(weights(everyFold / "stage2_best.pt", config),
                            weights(fold / "stage2_best.pt", config)));
        QVERIFY(sameWeights(weights(everyFold / "stage2_last.pt", config),
                            weights(fold / "stage2_last.pt", config)));
        QCOMPARE(foldsOf("ckpt-sparse"), foldsOf("ckpt-every"));
    }

    void validationIntervalOnlyWatches() {
        // With the last epoch kept, validation every 2nd epoch (and at each stage's end) changes
        // the record, not the model.
        auto config = bmsc::test::tinyConfig();
        config.selection = SelectionMetric::Last;
        config.stage2.epochs = 3;
        config.validationFraction = 0.5;  // of 3 non-test patients: 2 validate
        config.validationInterval = 1;
        auto all = oneFold("watch-every");
        runCrossValidation(config, all);
        config.validationInterval = 2;
        auto some = oneFold("watch-second");
        runCrossValidation(config, some);
        const auto history =
            readCheckpointMeta(root_ / "watch-second/fold1/stage2_last.pt").at("history");
        const auto full =
            readCheckpointMeta(root_ / "watch-every/fold1/stage2_last.pt").at("history");
        QCOMPARE(history.size(), std::size_t{3});
        QVERIFY(history[0].at("validation_loss").is_null());
        QVERIFY(full[0].at("validation_loss").is_number());
        QCOMPARE(history[1].at("validation_loss"), full[1].at("validation_loss"));
        QCOMPARE(history[2].at("validation_auroc"), full[2].at("validation_auroc"));
        QVERIFY(sameWeights(weights(root_ / "watch-every/fold1/stage2_last.pt", config),
                            weights(root_ / "watch-second/fold1/stage2_last.pt", config)));
        QCOMPARE(foldsOf("watch-second"), foldsOf("watch-every"));
        // Where validation selects the epoch, it runs after every epoch whatever the interval.
        config.selection = SelectionMetric::Auroc;
        auto selecting = oneFold("watch-selecting");
        runCrossValidation(config, selecting);
        const auto ranked =
            readCheckpointMeta(root_ / "watch-selecting/fold1/stage2_last.pt").at("history");
        QVERIFY(ranked[0].at("validation_loss").is_number());
    }

    void cancelInStageOneKeepsBest() {
        auto config = bmsc::test::tinyConfig();
        config.stage1.epochs = 2;
        auto o = oneFold("cancel1");
        CancelAt cancel(1, 1, 0);
        QCOMPARE(errorCode([&] { runCrossValidation(config, o, &cancel); }),
                 io::ErrorCode::Cancelled);
        const auto meta = readCheckpointMeta(root_ / "cancel1/fold1/stage1_best.pt");
        QCOMPARE(meta.at("best_epoch").get<int>(), 0);
        QVERIFY(!fs::exists(root_ / "cancel1/fold1/stage2_last.pt"));
    }

    void corruptCheckpointIsAClearError() {
        // The interrupted run copied by resumeAfterInterruptionEqualsUninterrupted.
        auto config = bmsc::test::tinyConfig();
        config.stage2.epochs = 2;
        auto o = oneFold("corrupt");
        QVERIFY(fs::exists(root_ / "corrupt/fold1/stage2_last.pt"));
        const auto last = root_ / "corrupt/fold1/stage2_last.pt";
        fs::resize_file(last, fs::file_size(last) / 2);
        o.resume = true;
        std::string message;
        QCOMPARE(errorCode([&] { runCrossValidation(config, o); }, &message),
                 io::ErrorCode::Corrupt);
        QVERIFY2(message.find("stage2_last.pt") != std::string::npos, message.c_str());
        {
            std::ofstream junk(last, std::ios::binary | std::ios::trunc);
            junk << "not a checkpoint";
        }
        QCOMPARE(errorCode([&] { runCrossValidation(config, o); }), io::ErrorCode::Corrupt);
        // A resume with another config is refused.
        config.network.width = 32;
        QCOMPARE(errorCode([&] { runCrossValidation(config, o); }), io::ErrorCode::InvalidArgument);
    }

    void windowCountOfTheWholeBreastResumesAsAll() {
        // A run recorded with the naive preset's old 275 (every window of its 96 × 96 × 24
        // breast) resumes under "all"; one window fewer is another config. The config check
        // comes first: past it, the missing cohort is what fails.
        auto stored = TrainingConfig::fromPreset("demo", TrainingMode::Naive);
        QCOMPARE(stored.stage2Windows, kAllWindows);
        stored.stage2Windows = 275;
        const auto run = root_ / "windows-275";
        fs::create_directories(run);
        std::ofstream(run / "config.json") << stored.toJson().dump(2);
        RunOptions o;
        o.cohort = root_ / "no-such-cohort";
        o.out = run;
        o.resume = true;
        std::string message;
        const auto preset = TrainingConfig::fromPreset("demo", TrainingMode::Naive);
        QCOMPARE(errorCode([&] { runCrossValidation(preset, o); }, &message),
                 io::ErrorCode::NotFound);
        QVERIFY2(message.find("no-such-cohort") != std::string::npos, message.c_str());
        auto fewer = preset;
        fewer.stage2Windows = 274;
        QCOMPARE(errorCode([&] { runCrossValidation(fewer, o); }, &message),
                 io::ErrorCode::InvalidArgument);
        QVERIFY2(message.find("another config") != std::string::npos, message.c_str());
    }

    void badInput() {
        const auto config = bmsc::test::tinyConfig();
        // Empty cohort.
        const auto empty = root_ / "empty";
        io::Cohort::create(empty).save();
        auto o = options("bad-empty");
        o.cohort = empty;
        o.cache = root_ / "bad-empty-cache";
        QCOMPARE(errorCode([&] { runCrossValidation(config, o); }), io::ErrorCode::InvalidValue);
        // One class only.
        const auto oneClass = root_ / "oneclass";
        fs::copy(cohort_, oneClass, fs::copy_options::recursive);
        auto cohort = io::Cohort::open(oneClass);
        for (auto& b : cohort.breasts()) {
            b.label = io::Label::Benign;
        }
        cohort.save();
        o = options("bad-oneclass");
        o.cohort = oneClass;
        o.cache = root_ / "oneclass-cache";
        std::string message;
        QCOMPARE(errorCode([&] { runCrossValidation(config, o); }, &message),
                 io::ErrorCode::InvalidValue);
        QVERIFY2(message.find("one class") != std::string::npos, message.c_str());
        // A config with an unknown key or a wrong type.
        QCOMPARE(errorCode([] {
                     TrainingConfig::fromJson(json{{"epochz", 3}}, "c.json");
                 }),
                 io::ErrorCode::InvalidArgument);
        QCOMPARE(errorCode([] {
                     TrainingConfig::fromJson(json{{"batch_size", "4"}}, "c.json");
                 }),
                 io::ErrorCode::InvalidArgument);
        // Resume of nothing.
        QCOMPARE(errorCode([&] { runCrossValidation(config, options("nothing", true)); }),
                 io::ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestTrainingRun)
#include "TestTrainingRun.moc"
