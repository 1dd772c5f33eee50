// Stage 2 as multiple-instance learning over a windowed breast (TrainingConfig::stage2Windows):
// the window lattice matches the network's cells, the most malignant windows are found as the
// max pool finds them, window items carry the breast's class, and a run trains, checkpoints its
// candidates and resumes to the same weights.
#include "CheckpointTensors.h"
#include "TinyCohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/Checkpoint.h"
#include "breastmsc/ml/FusedAdam.h"
#include "breastmsc/ml/PreparedCohort.h"
#include "breastmsc/ml/TrainingRun.h"
#include "breastmsc/ml/WindowMining.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>

using namespace bmsc;
using namespace bmsc::ml;
namespace fs = std::filesystem;
using bmsc::test::sameWeights;
using bmsc::test::weights;
using nlohmann::json;

namespace {

/// Malignant − benign logit of each window of `breast`, each window run as a patch.
std::vector<float> windowScores(BreastClassifier& model, const torch::Tensor& breast,
                                const std::vector<Triple>& origins, const Triple& size) {
    torch::NoGradGuard noGrad;
    std::vector<float> scores;
    for (const auto& o : origins) {
        const auto logits = model->forward(extractPatch(breast, o, size).unsqueeze(0));
        scores.push_back((logits[0][1] - logits[0][0]).item<float>());
    }
    return scores;
}

/// Stage 2 batches per epoch and epochs run, seen by the observer, and the epochs' times.
struct StageTwoBatches final : TrainingObserver {
    std::int64_t batches = 0;
    int epochs = 0;
    std::array<double, 2> windowSeconds{};  ///< per stage
    double validationSeconds = 0.0;
    void batchDone(const TrainingProgress& p) override {
        if (p.stage == 2) {
            batches = p.batches;
        }
    }
    void epochDone(const EpochSummary& s) override {
        ++epochs;
        windowSeconds.at(static_cast<std::size_t>(s.stage - 1)) += s.windowSeconds;
        validationSeconds += s.validationSeconds;
    }
};

/// Cancels in Stage 2 once its `epoch` (0-based) starts.
struct CancelInStageTwo final : TrainingObserver {
    explicit CancelInStageTwo(int epoch) : epoch_(epoch) {}
    void batchDone(const TrainingProgress& p) override {
        cancel_ = cancel_ || (p.stage == 2 && p.epoch >= epoch_);
    }
    bool cancelled() const override { return cancel_; }

private:
    int epoch_;
    bool cancel_ = false;
};

/// The tiny config with 32 × 32 × 4 patches slid over the 64 × 64 × 8 breasts every 16 × 16 × 2
/// (27 windows a breast), the max pool, and a multiple-instance Stage 2 of two epochs.
TrainingConfig windowConfig() {
    auto c = bmsc::test::tinyConfig();
    c.patchSize = {32, 32, 4};
    c.network.breastTile = {32, 32, 4};
    c.network.breastStride = {16, 16, 2};
    c.network.breastPool = BreastPool::Max;
    c.stage2Head = Stage2Head::Stage1;
    c.stage2FrozenBatchNorm = true;
    c.stage2Windows = 3;
    c.stage2 = {1e-3, 2, 0};
    c.augmentation.enabled = true;
    c.validate("window config");
    return c;
}

}  // namespace

class TestWindowMining : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path root_;

    RunOptions oneFold(const std::string& name, bool resume = false) const {
        RunOptions o;
        o.cohort = root_ / "cohort";
        o.cache = root_ / "cache";
        o.out = root_ / name;
        o.resume = resume;
        o.maxFolds = 1;
        return o;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        root_ = dir_.path().toStdString();
        bmsc::test::makeTinyCohort(root_ / "cohort", 6);
        torch::manual_seed(3);
    }

    void originsFollowTheCells() {
        // Window i of windowOrigins is cell i of the windowed network: its patch, run alone,
        // gives that cell's logits.
        BreastClassifier model(bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max),
                               HeadKind::WholeBreast);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto breast = torch::randn({6, 64, 48, 8});
        const auto origins = windowOrigins(model->options(), {64, 48, 8});
        QCOMPARE(origins.size(), std::size_t{3 * 2 * 3});
        QCOMPARE(origins.front(), (Triple{0, 0, 0}));
        QCOMPARE(origins[1], (Triple{0, 0, 2}));  // z fastest
        QCOMPARE(origins.back(), (Triple{32, 16, 4}));
        const auto cells = model->cellLogits(model->features(breast.unsqueeze(0)))[0];
        for (std::size_t i = 0; i < origins.size(); ++i) {
            const auto alone =
                model->forward(extractPatch(breast, origins[i], {32, 32, 4}).unsqueeze(0));
            QVERIFY2(torch::allclose(alone[0], cells.select(1, static_cast<std::int64_t>(i)), 1e-4,
                                     1e-4),
                     qPrintable(QString("window %1").arg(i)));
        }
        // A breast the windows do not cover whole has no lattice.
        QVERIFY(windowOrigins(model->options(), {64, 40, 8}).empty());
        QVERIFY(windowOrigins(model->options(), {64, 48, 2}).empty());
    }

    void marginWindowsReachPastTheBreast() {
        // A margin of half a stride in-plane and a slice in z: the lattice starts before the
        // breast, and each cell is the window cut with a zero border (extractPatch), as a
        // Stage 1 patch across the breast's edge is.
        auto options = bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max);
        options.breastMargin = {8, 8, 1};
        // The patch head runs a window alone (a whole-breast head would lay windows over it).
        BreastClassifier model(options, HeadKind::Patch);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto breast = torch::randn({6, 64, 48, 8});
        const auto origins = windowOrigins(model->options(), {64, 48, 8});
        QCOMPARE(origins.size(), std::size_t{4 * 3 * 4});
        QCOMPARE(origins.front(), (Triple{-8, -8, -1}));
        QCOMPARE(origins[1], (Triple{-8, -8, 1}));
        QCOMPARE(origins.back(), (Triple{40, 24, 5}));
        std::vector<torch::Tensor> alone;
        for (const auto& o : origins) {
            alone.push_back(model->forward(extractPatch(breast, o, {32, 32, 4}).unsqueeze(0))[0]);
        }
        model->keepHead(HeadKind::WholeBreast);
        const auto cells = model->cellLogits(model->features(breast.unsqueeze(0)))[0];
        QCOMPARE(cells.size(1), static_cast<std::int64_t>(origins.size()));
        for (std::size_t i = 0; i < origins.size(); ++i) {
            QVERIFY2(torch::allclose(alone[i], cells.select(1, static_cast<std::int64_t>(i)), 1e-4,
                                     1e-4),
                     qPrintable(QString("window %1").arg(i)));
        }
        // The margin counts in the fit: 48 + 2 × 4 − 32 is no multiple of 16.
        options.breastMargin = {8, 4, 1};
        QVERIFY(windowOrigins(options, {64, 48, 8}).empty());
        BreastClassifier misfit(options, HeadKind::WholeBreast);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, misfit->features(breast.unsqueeze(0)));
    }

    void topCellsAverageTheMostMalignantWindows() {
        // "breast_top_cells" k: the breast's logits are the mean of its k most malignant
        // windows' logits; more than the breast has is all of them.
        auto options = bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max);
        options.breastTopCells = 3;
        BreastClassifier model(options, HeadKind::WholeBreast);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto breasts = torch::randn({2, 6, 64, 64, 8});
        const auto cells = model->cellLogits(model->features(breasts));  // (2, 2, 27)
        const auto logits = model->forward(breasts);
        for (std::int64_t n = 0; n < 2; ++n) {
            const auto c = cells[n];
            const auto order = (c[1] - c[0]).argsort(0, /*descending=*/true);
            const auto expected = c.index_select(1, order.slice(0, 0, 3)).mean(1);
            QVERIFY(torch::allclose(logits[n], expected, 1e-5, 1e-5));
            QVERIFY(!torch::allclose(logits[n], c.index_select(1, order.slice(0, 0, 1)).squeeze(1),
                                     1e-3, 1e-3));
        }
        options.breastTopCells = 1000;
        BreastClassifier all(options, HeadKind::WholeBreast);
        all->eval();
        for (const auto& p : model->named_parameters()) {
            all->named_parameters()[p.key()].copy_(p.value());
        }
        for (const auto& b : model->named_buffers()) {
            all->named_buffers()[b.key()].copy_(b.value());
        }
        QVERIFY(torch::allclose(all->forward(breasts), cells.mean(2), 1e-5, 1e-5));
    }

    void mostMalignantWindowsComeFirst() {
        BreastClassifier model(bmsc::test::windowedNet({16, 16, 2}, BreastPool::Max),
                               HeadKind::WholeBreast);
        model->eval();
        const auto breast = torch::randn({6, 64, 64, 8});
        const Triple tile{32, 32, 4};
        const auto all = windowOrigins(model->options(), {64, 64, 8});
        const auto scores = windowScores(model, breast, all, tile);
        const auto top = mostMalignantWindows(model, breast, 5, torch::kCPU, false);
        QCOMPARE(top.size(), std::size_t{5});
        std::map<Triple, float> scoreOf;
        for (std::size_t i = 0; i < all.size(); ++i) {
            scoreOf[all[i]] = scores[i];
        }
        const float best = *std::max_element(scores.begin(), scores.end());
        QVERIFY(std::abs(scoreOf.at(top[0]) - best) < 1e-4f);
        for (std::size_t i = 1; i < top.size(); ++i) {
            QVERIFY(scoreOf.at(top[i - 1]) >= scoreOf.at(top[i]) - 1e-4f);
        }
        // Every window not kept scores no higher than the last one kept.
        for (const auto& o : all) {
            if (std::find(top.begin(), top.end(), o) == top.end()) {
                QVERIFY(scoreOf.at(o) <= scoreOf.at(top.back()) + 1e-4f);
            }
        }
        // The whole breast's logits under the max pool are its top window's.
        {
            torch::NoGradGuard noGrad;
            const auto logits = model->forward(breast.unsqueeze(0));
            QVERIFY(std::abs((logits[0][1] - logits[0][0]).item<float>() - best) < 1e-4f);
        }
        // The most malignant of a list, in any order; k beyond the windows gives them all.
        std::vector<Triple> reversed(top.rbegin(), top.rend());
        QCOMPARE(mostMalignantOf(model, breast, reversed, tile, torch::kCPU, false), top[0]);
        QCOMPARE(mostMalignantWindows(model, breast, 1000, torch::kCPU, false).size(), all.size());
        const auto ranked = mostMalignantWindows(model, breast, kAllWindows, torch::kCPU, false);
        QCOMPARE(ranked.size(), all.size());
        // Every window as a candidate: the lattice as it stands chooses what the ranked list
        // chooses, so Stage 2 need not rank them first (Trainer::windowCandidates).
        QCOMPARE(mostMalignantOf(model, breast, all, tile, torch::kCPU, false),
                 mostMalignantOf(model, breast, ranked, tile, torch::kCPU, false));
        // Windows of equal content tie: ranked in lattice order, the first of them chosen.
        const auto blank = torch::zeros({6, 64, 64, 8});
        QCOMPARE(mostMalignantWindows(model, blank, kAllWindows, torch::kCPU, false), all);
        QCOMPARE(mostMalignantOf(model, blank, all, tile, torch::kCPU, false), all.front());
        // A model without windows or the max pool cannot rank windows.
        BreastClassifier average(bmsc::test::windowedNet({16, 16, 2}, BreastPool::Average),
                                 HeadKind::WholeBreast);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 mostMalignantWindows(average, breast, 3, torch::kCPU, false));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 mostMalignantOf(model, breast, {}, tile, torch::kCPU, false));
    }

    void windowItemsCarryTheBreastClass() {
        const auto config = windowConfig();
        const auto cohort =
            PreparedCohort::prepare(root_ / "cohort", config.preprocess, root_ / "cache", 64);
        ItemOptions options;
        options.patchSize = config.patchSize;
        for (std::size_t b = 0; b < cohort->breasts().size(); ++b) {
            const auto& breast = cohort->breasts()[b];
            if (breast.label == io::Label::Unlabelled) {
                continue;
            }
            Sample s;
            s.breast = b;
            s.kind = SampleKind::WindowPatch;
            s.target = breast.target();
            s.origin = {32, 0, 4};
            options.training = false;
            const auto [x, y] = makeItem(*cohort, s, options, 7);
            QCOMPARE(y, breast.target());
            QVERIFY(torch::equal(x, extractPatch(cohort->load(b), s.origin, config.patchSize)));
            // Training: the same window augmented (mirror, rotation), the class unchanged.
            options.training = true;
            options.augmentation.enabled = true;
            const auto [xa, ya] = makeItem(*cohort, s, options, 7);
            QCOMPARE(ya, breast.target());
            QCOMPARE(xa.sizes().vec(), x.sizes().vec());
            QVERIFY(torch::equal(xa, makeItem(*cohort, s, options, 7).first));
        }
    }

    void configNeedsWindowsAndTheMaxPool() {
        auto c = windowConfig();
        QCOMPARE(TrainingConfig::fromJson(c.toJson(), "round trip").stage2Windows, 3);
        auto j = c.toJson();
        j["breast_pool"] = "average";
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "average"));
        j = c.toJson();
        j["breast_pass"] = "whole";
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "whole"));
        j = c.toJson();
        j["stage2_windows"] = -1;
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "negative"));
        j["stage2_windows"] = 4097;
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "too many"));
        j["stage2_windows"] = std::int64_t{1} << 40;  // not wrapped into the valid range
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "out of int"));
        j["stage2_windows"] = "some";
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "a word"));
        // "all": every window of the breast, whatever its grid, written back as "all".
        j["stage2_windows"] = "all";
        const auto all = TrainingConfig::fromJson(j, "all");
        QCOMPARE(all.stage2Windows, kAllWindows);
        QCOMPARE(all.toJson().at("stage2_windows").get<std::string>(), std::string("all"));
        QCOMPARE(TrainingConfig::fromJson(all.toJson(), "round trip").stage2Windows, kAllWindows);
        j = c.toJson();
        j = c.toJson();
        j["stage2_windows"] = 0;
        j["stage2_rehearsal"] = true;
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "rehearsal"));
        j["stage2_windows"] = 2;
        QVERIFY(TrainingConfig::fromJson(j, "rehearsal").stage2Rehearsal);
        j["mode"] = "naive";
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "naive rehearsal"));
    }

    void runTrainsCheckpointsCandidatesAndResumes() {
        auto config = windowConfig();
        StageTwoBatches plain;
        runCrossValidation(config, oneFold("mil"), &plain);
        // The time spent choosing windows is Stage 2's alone, and the run reports it.
        QCOMPARE(plain.windowSeconds[0], 0.0);
        QVERIFY(plain.windowSeconds[1] > 0.0);
        QVERIFY(plain.validationSeconds > 0.0);
        std::ifstream metricsFile(root_ / "mil/metrics.json");
        const auto metrics = nlohmann::json::parse(metricsFile);
        // The run's totals hold every epoch's seconds (and window seconds the stage's start
        // spent too), added per stage and then over the stages; the observer adds the epochs in
        // one sum, another order: at least as much, up to rounding.
        const auto atLeast = [](double run, double observed) {
            return run >= observed - 1e-9 * std::max(1.0, observed);
        };
        QVERIFY(atLeast(metrics.at("window_seconds").get<double>(), plain.windowSeconds[1]));
        QVERIFY(atLeast(metrics.at("validation_seconds").get<double>(), plain.validationSeconds));
        const auto fold = root_ / "mil/fold1";
        const auto meta = readCheckpointMeta(fold / "stage2_last.pt");
        const auto& candidates = meta.at("window_candidates");
        QVERIFY(candidates.is_array() && !candidates.empty());
        for (const auto& entry : candidates) {
            QCOMPARE(entry.at("origins").size(), std::size_t{3});
            for (const auto& o : entry.at("origins")) {
                // On the lattice of 32 × 32 × 4 windows every 16 × 16 × 2 of a 64 × 64 × 8 breast.
                QVERIFY(o[0].get<int>() % 16 == 0 && o[0].get<int>() <= 32);
                QVERIFY(o[1].get<int>() % 16 == 0 && o[1].get<int>() <= 32);
                QVERIFY(o[2].get<int>() % 2 == 0 && o[2].get<int>() <= 4);
            }
        }
        // Stage 2 trained: its weights moved from Stage 1's.
        QVERIFY(!sameWeights(weights(fold / "stage1_last.pt", config),
                             weights(fold / "stage2_last.pt", config)));

        // Interrupted in Stage 2's second epoch and resumed: the same weights and candidates.
        CancelInStageTwo cancel(1);
        QVERIFY_THROWS_EXCEPTION(io::IoError, runCrossValidation(config, oneFold("cut"), &cancel));
        fs::copy(root_ / "cut", root_ / "edited", fs::copy_options::recursive);
        StageTwoBatches resumed;
        runCrossValidation(config, oneFold("cut", true), &resumed);
        QCOMPARE(resumed.epochs, 1);
        QCOMPARE(readCheckpointMeta(root_ / "cut/fold1/stage2_last.pt").at("window_candidates"),
                 candidates);
        QVERIFY(sameWeights(weights(fold / "stage2_last.pt", config),
                            weights(root_ / "cut/fold1/stage2_last.pt", config)));

        // Hand-edited candidates (a window outside the breast, a list that is not one): the
        // resumed run stops with an error naming the checkpoint, not a crash or a stray crop.
        const auto edited = root_ / "edited/fold1/stage2_last.pt";
        for (const json& bad : {json{{{"breast", 0}, {"origins", {{48, 0, 0}}}}},
                                json{{{"breast", 0}, {"origins", {{0, 0}}}}}, json("windows")}) {
            BreastClassifier model(config.network, HeadKind::WholeBreast);
            FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
            auto state = loadCheckpoint(edited, model, &optimizer);
            state["window_candidates"] = bad;
            saveCheckpoint(edited, model, &optimizer, state);
            try {
                runCrossValidation(config, oneFold("edited", true));
                QFAIL("no error");
            } catch (const io::IoError& e) {
                const QString what = e.what();
                QVERIFY2(what.contains("stage2_last.pt") && what.contains("window_candidates"),
                         e.what());
            }
        }

        // Rehearsal adds Stage 1's patches to every Stage 2 epoch: more batches.
        config.stage2Rehearsal = true;
        StageTwoBatches rehearsed;
        runCrossValidation(config, oneFold("rehearsal"), &rehearsed);
        QVERIFY2(rehearsed.batches > plain.batches,
                 qPrintable(QString("%1 vs %2").arg(rehearsed.batches).arg(plain.batches)));
    }

    void everyWindowIsACandidateInLatticeOrder() {
        // Naive Stage 2 over every window ("all"): each breast's candidates are its whole
        // lattice in order, taken without a scoring pass, and the stage trains on them.
        auto config = windowConfig();
        config.mode = TrainingMode::Naive;
        config.stage2Head = Stage2Head::Fresh;
        config.stage2FrozenBatchNorm = false;
        config.stage2Windows = kAllWindows;
        config.validate("all windows");
        StageTwoBatches observed;
        runCrossValidation(config, oneFold("all"), &observed);
        QVERIFY(observed.windowSeconds[1] > 0.0);
        const auto cohort = PreparedCohort::prepare(root_ / "cohort", config.preprocess,
                                                    root_ / "cache", config.cacheMegabytes);
        const auto meta = readCheckpointMeta(root_ / "all/fold1/stage2_last.pt");
        const auto& candidates = meta.at("window_candidates");
        QVERIFY(candidates.is_array() && !candidates.empty());
        for (const auto& entry : candidates) {
            const auto& b = cohort->breasts().at(entry.at("breast").get<std::size_t>());
            const auto lattice =
                windowOrigins(config.network, {b.shape[1], b.shape[2], b.shape[3]});
            QCOMPARE(lattice.size(), std::size_t{27});
            std::vector<Triple> origins;
            for (const auto& o : entry.at("origins")) {
                origins.push_back(
                    {o[0].get<std::int64_t>(), o[1].get<std::int64_t>(), o[2].get<std::int64_t>()});
            }
            QCOMPARE(origins, lattice);
        }
    }

    void lesionPositivesAreTheWindowsHoldingALesion() {
        // stage2_positives "lesions": a malignant breast's candidates are exactly the windows
        // that hold a malignant lesion's centre; the others keep their 3 most malignant.
        auto config = windowConfig();
        config.stage2Positives = PositiveWindows::Lesions;
        config.validate("lesions");
        runCrossValidation(config, oneFold("lesions"));
        const auto cohort = PreparedCohort::prepare(root_ / "cohort", config.preprocess,
                                                    root_ / "cache", config.cacheMegabytes);
        const auto meta = readCheckpointMeta(root_ / "lesions/fold1/stage2_last.pt");
        const Triple tile{32, 32, 4};
        const auto holds = [&](const PreparedBreast& b, const Triple& o) {
            return std::any_of(b.lesions.begin(), b.lesions.end(), [&](const BreastLesion& l) {
                bool in = l.label == io::Label::Malignant;
                for (int d = 0; d < 3; ++d) {
                    const auto p = std::llround(l.index[static_cast<std::size_t>(d)]);
                    in = in && p >= o[static_cast<std::size_t>(d)] &&
                         p < o[static_cast<std::size_t>(d)] + tile[static_cast<std::size_t>(d)];
                }
                return in;
            });
        };
        int malignant = 0;
        for (const auto& entry : meta.at("window_candidates")) {
            const auto& b = cohort->breasts().at(entry.at("breast").get<std::size_t>());
            const auto lattice =
                windowOrigins(config.network, {b.shape[1], b.shape[2], b.shape[3]});
            const auto holding = std::count_if(lattice.begin(), lattice.end(),
                                               [&](const Triple& o) { return holds(b, o); });
            const auto& origins = entry.at("origins");
            if (b.target() == 1 && holding > 0) {
                ++malignant;
                QCOMPARE(static_cast<std::ptrdiff_t>(origins.size()), holding);
                for (const auto& o : origins) {
                    QVERIFY(holds(b, {o[0].get<std::int64_t>(), o[1].get<std::int64_t>(),
                                      o[2].get<std::int64_t>()}));
                }
            } else {
                QCOMPARE(origins.size(), std::size_t{3});
            }
        }
        QVERIFY(malignant > 0);
        // A curriculum with windows only; a misspelt choice is named.
        auto j = config.toJson();
        QCOMPARE(j.at("stage2_positives").get<std::string>(), std::string("lesions"));
        QCOMPARE(TrainingConfig::fromJson(j, "round trip").stage2Positives,
                 PositiveWindows::Lesions);
        j["stage2_windows"] = 0;
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "no windows"));
        j = config.toJson();
        j["mode"] = "naive";
        QVERIFY_THROWS_EXCEPTION(io::IoError, TrainingConfig::fromJson(j, "naive"));
        j = config.toJson();
        j["stage2_positives"] = "lesion";
        try {
            TrainingConfig::fromJson(j, "typo");
            QFAIL("no error");
        } catch (const io::IoError& e) {
            QVERIFY2(QString(e.what()).contains("top or lesions"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestWindowMining)
#include "TestWindowMining.moc"
