#pragma once

#include "breastmsc/io/Preprocess.h"
#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/ResNet3d.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace bmsc::ml {

/// Settings of one training stage.
struct StageSettings {
    double learningRate = 1e-4;
    int epochs = 50;
    int patience = 0;  ///< early stopping: epochs without a better validation score; 0 = off
};

enum class TrainingMode { Curriculum, Naive, Stage1 };
/// Model selection on the validation set: the best AUROC (ties broken by the loss), the lowest
/// loss, or the last epoch (no selection, for validation sets too small to rank epochs; every
/// epoch counts as an improvement, so early stopping never triggers).
enum class SelectionMetric { Auroc, Loss, Last };

/// How Stage 2 of the curriculum starts its head: a fresh one (the paper), or the Stage 1
/// lesion head carried over, so that the whole-breast logit starts as the mean of the lesion
/// classifier over the breast's C5 positions.
enum class Stage2Head { Fresh, Stage1 };

/// The learning rate over a stage's epochs: constant (the paper), or a cosine from the stage's
/// rate down towards zero over its epochs, so that the last epochs take small steps and the last
/// epoch is a settled model (useful with `selection: last` and validation sets too small to
/// rank epochs).
enum class LearningRateSchedule { Constant, Cosine };

/// Which windows a malignant training breast offers a multiple-instance Stage 2
/// (TrainingConfig::stage2Positives): its k most malignant (the breast's label alone), or,
/// when Stage 1's annotations mark a malignant lesion in it, the windows that hold a malignant
/// lesion's centre (Stage 1's patch rule), so that the breast's label never lands on
/// background the model happens to rank first.
enum class PositiveWindows { Top, Lesions };

/// TrainingConfig::stage2Windows for every window of a breast ("all" in JSON).
inline constexpr int kAllWindows = std::numeric_limits<int>::max();

/// Test-time augmentation of the validation, test and predict probabilities: none (the paper),
/// or the mean of the probabilities of the breast and its left–right mirror image (the one
/// augmentation the training always draws, so both views are images the network has learnt).
enum class TestAugmentation { None, Mirror };

/// Stage 1 lesion patches at the breast's edge: centred as the jitter puts them and zero-padded
/// beyond the breast (the authors' code), or moved into the breast (lesionPatchOrigin).
enum class PatchBorder { Pad, Shift };

/// Everything a training run needs, with the paper's values as defaults (NETWORK.md).
/// Written into every checkpoint, read from JSON with unknown keys and wrong types rejected.
struct TrainingConfig {
    std::string preset = "paper";
    TrainingMode mode = TrainingMode::Curriculum;
    io::PreprocessOptions preprocess = io::PreprocessOptions::paper();
    ResNet3dOptions network;
    std::array<std::int64_t, 3> patchSize{64, 64, 4};
    /// Stage 1: a lesion lies up to ± this fraction of the patch size from the patch centre
    /// (uniform; ¼ in the authors' code).
    double patchJitter = 0.25;
    PatchBorder patchBorder = PatchBorder::Pad;  ///< "patch_border": "pad" or "shift"
    int batchSize = 4;
    StageSettings stage1{1e-4, 50, 0};
    StageSettings stage2{1e-5, 100, 0};
    AugmentationOptions augmentation;
    bool classBalanced = false;  ///< sample classes equally often (the authors' code)
    /// Stage 1: the share of each epoch's draws (with replacement) made in proportion to each
    /// sample's last training loss, the rest uniform; 0 = a plain shuffle. Not with
    /// classBalanced.
    double hardExamples = 0.0;
    double backgroundPatches = 0.0;  ///< Stage 1: extra lesion-free patches per lesion patch
    /// Stage 1 training: each background patch is the most enhancing of this many lesion-free
    /// draws (hard negatives); 1 = a uniform draw. Evaluation patches stay uniform.
    int backgroundCandidates = 1;
    /// Stage 2 with the max pool on a one-pass breast: the weight of an added cross-entropy of
    /// every cell against the lesion annotations (cellTargets: 1 where a malignant lesion's
    /// centre lies in the cell), so that the cell the pool picks is the lesion's; 0 = off (the
    /// breast label alone, as the paper).
    double cellLoss = 0.0;
    /// Stage 2 with `breast_pass` windows (or tiles) and the max pool: 0 — every window of
    /// every breast through the network with gradients; k > 0 — multiple-instance learning on
    /// windows: when the stage starts, the k windows of each training breast that the model
    /// finds most malignant are kept (every window scored without gradients), and each epoch
    /// the most malignant of those k (scored again) is trained as a patch labelled with the
    /// breast's class, augmented as Stage 1 patches are. The max pool's gradient reaches only
    /// that window anyway: this trains what the full pass would, at the cost of k windows a
    /// breast instead of all of them, for as long as the breast's top window stays among its k.
    /// kAllWindows ("all" in JSON): every window of the breast, whatever the grid and stride
    /// make of it (naive multiple-instance learning re-scores them all each epoch).
    int stage2Windows = 0;
    /// A curriculum's multiple-instance Stage 2 (stage2Windows > 0): train on Stage 1's patches
    /// too, every epoch beside the breasts' windows, so that fine-tuning on breast labels
    /// keeps what the lesion annotations taught (a malignant breast's most malignant window
    /// may be a benign lesion or background, and the breast's label then pushes it up).
    bool stage2Rehearsal = false;
    /// A curriculum's multiple-instance Stage 2: the candidates of a malignant breast (see
    /// PositiveWindows); benign breasts keep their k most malignant windows either way, the
    /// hard negatives.
    PositiveWindows stage2Positives = PositiveWindows::Top;
    SelectionMetric selection = SelectionMetric::Auroc;
    Stage2Head stage2Head = Stage2Head::Fresh;
    LearningRateSchedule schedule = LearningRateSchedule::Constant;
    /// Curriculum Stage 2 with batch norm: normalise with Stage 1's running statistics, frozen,
    /// instead of each batch's (the usual way to fine-tune with small batches).
    bool stage2FrozenBatchNorm = false;
    TestAugmentation testAugmentation = TestAugmentation::None;
    int folds = 5;
    /// Networks trained per fold from different seeds (initialisation, sample order,
    /// augmentation); the fold's prediction is their mean probability, its CAM their mean map.
    /// 1: one network, as the paper.
    int ensemble = 1;
    /// Empty: every member sees `network.input`. Otherwise one InputKind per member (as many as
    /// `ensemble`): members that read the same breasts differently (the subtractions, the
    /// kinetic curve's shape) err on different breasts, where members of one input differ only
    /// by their draw (doc/RESULTS-early-runs.md, runs 16–18; over five draws on c40 the
    /// subtractions + kinetics pair read 0.813–0.8995, mean 0.859, level with one network, runs
    /// 20–24).
    std::vector<InputKind> ensembleInputs;
    /// Of the non-test patients (64/16/20 % overall). 0: no validation set, every non-test
    /// patient trains (only with selection Last and no early stopping); the test folds are
    /// the same either way.
    double validationFraction = 0.2;
    /// Where validation only watches (selection Last, no early stopping in the stage): validate
    /// after every this many epochs and after the stage's last one; the model and the metrics
    /// are the same as with 1. Where validation selects an epoch or stops early, it runs after
    /// every epoch whatever this says.
    int validationInterval = 1;
    /// A stage's last checkpoint (weights and optimiser) is written at the end of the first
    /// epoch that ends this many seconds after the previous write, and at the end of the
    /// stage; a better epoch in between is kept in memory until then. 0: after every epoch.
    /// A killed run resumes from the last write, losing at most this much work; a cancelled
    /// one keeps the checkpoints of the last write.
    double checkpointSeconds = 60.0;
    std::uint64_t seed = 1;
    bool bf16 = false;  ///< autocast to bfloat16 on CPU
    int threads = 0;    ///< LibTorch intra-op threads; 0 = all cores
    /// Ensemble members of a fold trained at once, each on its own thread with an equal share
    /// of `threads` (at least one): small networks use one thread each better than two threads
    /// one op at a time (doc/RESULTS.md). The same members as one after the other on that share.
    int parallelMembers = 1;
    int loaderThreads = 2;  ///< augmentation/prefetch workers; on the CPU at most the spare cores
                            ///< (loaderThreadsFor)
    std::int64_t cacheMegabytes = 2048;  ///< bound of the in-memory breast cache

    /// "paper": the paper's sizes (a GPU workload). "demo": a reduced width, patch and Stage 2
    /// (the most malignant windows of each breast) so that a 5-fold curriculum run on a
    /// ~40-patient demo cohort finishes on 2 CPU cores: run 31's settings
    /// (doc/RESULTS-runs-30-32.md) with the head reading the stem's peak (run 44,
    /// doc/RESULTS-run-44.md) and the curve at each window's most enhancing voxel (run 46), on
    /// breasts whose enhancing wall behind them is cleared (posterior_wall 0.3, runs 47–48), a
    /// curriculum's Stage 2 at 1e-3 (runs 57–58). "demo-v5": Stage 2 at 1e-4, runs 47–48's, the
    /// demo preset until run 58. "demo-v4": without the clearing either, run 46's. "demo-v3":
    /// without the curve either, that of runs 44–45. "demo-v2": run 31's settings alone, that of
    /// runs 33–43. "demo-v1": the demo preset of runs 1–32 (a 64 × 64 × 16 breast in one pass),
    /// which the configs in doc/configs build on. `mode` is the config's mode; the demo presets'
    /// stage settings depend on it (a curriculum's Stage 2 fine-tunes what Stage 1 learnt; naive
    /// trains Stage 2 from scratch).
    static TrainingConfig fromPreset(const std::string& name,
                                     TrainingMode mode = TrainingMode::Curriculum);
    /// The names fromPreset knows (paper, demo, demo-v1 … demo-v5): the one list the command
    /// line's choices and the unknown-preset error are made from.
    static const std::vector<std::string>& presetNames();

    /// The network of ensemble member `member` (0-based): `network` with the member's input.
    ResNet3dOptions memberNetwork(int member) const;

    nlohmann::json toJson() const;
    /// Starts from the preset named in the JSON (or `paper`) and overrides what the JSON sets.
    /// Throws io::IoError(InvalidArgument) naming `source` and the key for unknown keys, wrong
    /// types and values out of range.
    static TrainingConfig fromJson(const nlohmann::json& json, const std::filesystem::path& source);
    /// `mode`, when not empty, replaces the file's "mode" (before the preset is applied, so the
    /// preset's settings for that mode fill in what the file leaves out).
    static TrainingConfig load(const std::filesystem::path& file, const std::string& mode = {});
    /// A config a run recorded (its config.json, a checkpoint's metadata): complete when it was
    /// written, so a key it lacks is a setting added since, and takes the value that behaves as
    /// before the setting existed (the paper's default), not the named preset's current one.
    static TrainingConfig fromRecord(const nlohmann::json& json,
                                     const std::filesystem::path& source);
    static TrainingConfig loadRecord(const std::filesystem::path& file);

    /// Checks ranges and consistency (patch and breast sizes against the network's strides).
    void validate(const std::filesystem::path& source) const;
};

std::string_view modeName(TrainingMode mode) noexcept;
/// The config's names of the modes (curriculum, naive, stage1): the command line's choices.
const std::vector<std::string>& modeNames();
std::string_view selectionName(SelectionMetric metric) noexcept;
/// The config's name of an input (`input`, `ensemble_inputs`).
std::string_view inputName(InputKind input) noexcept;
/// The learning rate of `epoch` (0-based) of a stage under `schedule`.
double learningRateAt(LearningRateSchedule schedule, const StageSettings& stage,
                      int epoch) noexcept;

}  // namespace bmsc::ml
