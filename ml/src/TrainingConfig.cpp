#include "breastmsc/ml/TrainingConfig.h"

#include "breastmsc/io/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>

namespace bmsc::ml {
namespace {

using io::ErrorCode;
using io::IoError;
using nlohmann::json;

std::string dims(const std::array<std::int64_t, 3>& d) {
    return std::to_string(d[0]) + "×" + std::to_string(d[1]) + "×" + std::to_string(d[2]);
}

[[noreturn]] void fail(const std::filesystem::path& source, const std::string& reason) {
    throw IoError(ErrorCode::InvalidArgument, source, reason);
}

// Reads the keys of `object` into the fields named in `readers`; any other key is an error.
using Reader = std::function<void(const json&)>;
void readObject(const json& object, const std::string& where,
                const std::map<std::string, Reader>& readers, const std::filesystem::path& source) {
    if (!object.is_object()) {
        fail(source, "'" + where + "' must be a JSON object");
    }
    for (const auto& [key, value] : object.items()) {
        const auto it = readers.find(key);
        if (it == readers.end()) {
            std::string known;
            for (const auto& [k, r] : readers) {
                known += (known.empty() ? "" : ", ") + k;
            }
            fail(source, "unknown key '" + where + key + "' (known here: " + known + ")");
        }
        try {
            it->second(value);
        } catch (const json::exception& e) {
            fail(source, "'" + where + key + "' has the wrong type: " + e.what());
        }
    }
}

template <typename T>
Reader into(T& field) {
    return [&field](const json& v) {
        if constexpr (std::is_same_v<T, bool>) {
            if (!v.is_boolean()) {
                throw json::type_error::create(302, "expected true or false", &v);
            }
        } else if constexpr (std::is_integral_v<T>) {
            if (!v.is_number_integer()) {
                throw json::type_error::create(302, "expected an integer", &v);
            }
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!v.is_number()) {
                throw json::type_error::create(302, "expected a number", &v);
            }
        } else {
            if (!v.is_string()) {
                throw json::type_error::create(302, "expected a string", &v);
            }
        }
        field = v.get<T>();
    };
}

// A window count (TrainingConfig::stage2Windows): an integer, or "all" for kAllWindows.
Reader intoWindowCount(int& field) {
    return [&field](const json& v) {
        if (v.is_string() && v.get<std::string>() == "all") {
            field = kAllWindows;
        } else if (v.is_number_integer()) {
            // Out of int's range reads as just outside the valid range, for validate() to name.
            field = static_cast<int>(std::clamp<std::int64_t>(v.get<std::int64_t>(), -1, 4097));
        } else {
            throw json::type_error::create(302, "expected an integer or \"all\"", &v);
        }
    };
}

Reader intoTriple(std::array<std::int64_t, 3>& field) {
    return [&field](const json& v) {
        if (!v.is_array() || v.size() != 3 || !v[0].is_number_integer() ||
            !v[1].is_number_integer() || !v[2].is_number_integer()) {
            throw json::type_error::create(302, "expected three integers [x, y, z]", &v);
        }
        field = {v[0].get<std::int64_t>(), v[1].get<std::int64_t>(), v[2].get<std::int64_t>()};
    };
}

Reader intoStage(StageSettings& s, const std::string& where, const std::filesystem::path& source) {
    return [&s, where, source](const json& v) {
        readObject(v, where + ".",
                   {{"learning_rate", into(s.learningRate)},
                    {"epochs", into(s.epochs)},
                    {"patience", into(s.patience)}},
                   source);
    };
}

json stageJson(const StageSettings& s) {
    return {{"learning_rate", s.learningRate}, {"epochs", s.epochs}, {"patience", s.patience}};
}

// The JSON names of the settings that are a choice, one table each for both directions.
template <typename E>
using Names = std::initializer_list<std::pair<E, std::string_view>>;
const Names<TrainingMode> kModes{{TrainingMode::Curriculum, "curriculum"},
                                 {TrainingMode::Naive, "naive"},
                                 {TrainingMode::Stage1, "stage1"}};
const Names<SelectionMetric> kSelections{{SelectionMetric::Auroc, "auroc"},
                                         {SelectionMetric::Loss, "loss"},
                                         {SelectionMetric::Last, "last"}};
const Names<NormKind> kNorms{{NormKind::Instance, "instance"}, {NormKind::Batch, "batch"}};
const Names<HeadInit> kHeadInits{{HeadInit::FanIn, "fan_in"}, {HeadInit::KaimingFanOut, "fan_out"}};
const Names<InputKind> kInputs{{InputKind::Phases, "phases"},
                               {InputKind::Subtractions, "subtractions"},
                               {InputKind::Kinetics, "kinetics"}};
const Names<InputScaling> kInputScalings{{InputScaling::None, "none"},
                                         {InputScaling::Channel, "channel"}};
const Names<PeakFeatures> kPeakFeatures{
    {PeakFeatures::None, "none"}, {PeakFeatures::Stem, "stem"}, {PeakFeatures::C2, "c2"}};
const Names<Stage2Head> kStage2Heads{{Stage2Head::Fresh, "fresh"}, {Stage2Head::Stage1, "stage1"}};
const Names<PatchBorder> kPatchBorders{{PatchBorder::Pad, "pad"}, {PatchBorder::Shift, "shift"}};
const Names<PositiveWindows> kPositives{{PositiveWindows::Top, "top"},
                                        {PositiveWindows::Lesions, "lesions"}};
const Names<LearningRateSchedule> kSchedules{{LearningRateSchedule::Constant, "constant"},
                                             {LearningRateSchedule::Cosine, "cosine"}};
const Names<TestAugmentation> kTestAugmentations{{TestAugmentation::None, "none"},
                                                 {TestAugmentation::Mirror, "mirror"}};
const Names<BreastPool> kBreastPools{{BreastPool::Average, "average"}, {BreastPool::Max, "max"}};
// "breast_pass": one pass over the breast (the paper), or windows of the Stage 1 patch size
// side by side ("tiles") or overlapping by half ("windows"); see ResNet3dOptions::breastTile.
enum class BreastPass { Whole, Tiles, Windows };
const Names<BreastPass> kBreastPasses{
    {BreastPass::Whole, "whole"}, {BreastPass::Tiles, "tiles"}, {BreastPass::Windows, "windows"}};

/// The max pool's cells on a one-pass breast: the (2,2,1) pool of NETWORK.md, or the C5 map
/// of one Stage 1 patch (ResNet3dOptions::cellPool).
enum class BreastCells { Pooled, Patch };
const Names<BreastCells> kBreastCells{{BreastCells::Pooled, "pooled"},
                                      {BreastCells::Patch, "patch"}};

BreastCells cellsOf(const ResNet3dOptions& n) {
    return n.cellPool == std::array<std::int64_t, 3>{2, 2, 1} ? BreastCells::Pooled
                                                              : BreastCells::Patch;
}

std::array<std::int64_t, 3> patchCells(const std::array<std::int64_t, 3>& patch) {
    return {patch[0] / 32, patch[1] / 32, patch[2] / 4};
}

BreastPass passOf(const ResNet3dOptions& n) {
    return n.breastTile[0] == 0             ? BreastPass::Whole
           : n.breastStride == n.breastTile ? BreastPass::Tiles
                                            : BreastPass::Windows;
}

template <typename E>
std::string_view nameOf(Names<E> names, E value) noexcept {
    for (const auto& [v, name] : names) {
        if (v == value) {
            return name;
        }
    }
    return names.begin()->second;
}

// Reads a string that must be one of `names` into `field`; other strings are an error that
// lists the choices.
template <typename E>
Reader intoChoice(E& field, Names<E> names, std::string key, std::filesystem::path source) {
    return [&field, names, key = std::move(key), source = std::move(source)](const json& v) {
        if (!v.is_string()) {
            throw json::type_error::create(302, "expected a string", &v);
        }
        const auto text = v.get<std::string>();
        std::string choices;
        std::size_t i = 0;
        for (const auto& [value, name] : names) {
            if (name == text) {
                field = value;
                return;
            }
            choices += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(name);
            ++i;
        }
        fail(source, "'" + key + "' must be " + choices + ", not '" + text + "'");
    };
}

}  // namespace

std::string_view inputName(InputKind input) noexcept {
    return nameOf(kInputs, input);
}

std::string_view selectionName(SelectionMetric metric) noexcept {
    return nameOf(kSelections, metric);
}

double learningRateAt(LearningRateSchedule schedule, const StageSettings& stage,
                      int epoch) noexcept {
    if (schedule == LearningRateSchedule::Constant || stage.epochs <= 0) {
        return stage.learningRate;
    }
    // Half a cosine over the stage, sampled at each epoch's start: the last epoch still moves.
    const double t = static_cast<double>(epoch) / static_cast<double>(stage.epochs);
    return stage.learningRate * 0.5 * (1.0 + std::cos(3.14159265358979323846 * t));
}

std::string_view modeName(TrainingMode mode) noexcept {
    return nameOf(kModes, mode);
}

const std::vector<std::string>& modeNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (const auto& [mode, name] : kModes) {
            all.emplace_back(name);
        }
        return all;
    }();
    return names;
}

const std::vector<std::string>& TrainingConfig::presetNames() {
    static const std::vector<std::string> names{"paper",   "demo",    "demo-v1", "demo-v2",
                                                "demo-v3", "demo-v4", "demo-v5"};
    return names;
}

TrainingConfig TrainingConfig::fromPreset(const std::string& name, TrainingMode mode) {
    TrainingConfig c;
    c.mode = mode;
    if (name == "paper") {
        return c;
    }
    // Every other name presetNames() holds is a demo preset.
    const auto& names = presetNames();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
        c.preset = name;
        // demo-v1 first, the base of both: breasts of 64 × 64 × 16
        // (io::PreprocessOptions::demo(): 2.5 mm in-plane at 320 mm field of view), lesion patches
        // of 64 × 64 × 4 as in the paper (4-slice slabs around each lesion), a network of width 16:
        // oneDNN's fast 3D convolutions need channel counts that are multiples of 16 (widths 4 and
        // 8 fall back to a reference path that is 2–10× slower on this CPU). Sized so that a 5-fold
        // curriculum run on a 40-patient demo cohort fits in about 15 minutes on 2 cores.
        c.preprocess = io::PreprocessOptions::demo();
        c.network.width = 16;
        c.network.norm = NormKind::Batch;
        c.patchSize = {32, 32, 4};
        // What lifted naive on the 40-patient demo cohort from 0.59 to 0.85 (100 patients: 0.63
        // to 0.71; doc/RESULTS-early-runs.md, run 6): the subtractions, each channel scaled to unit
        // spread over the training breasts, the most malignant C5 cell as the breast's logits, and
        // 30 Stage 2 epochs at 1e-3 on a cosine schedule with augmentation, the last epoch kept
        // (validation sets of 6–20 patients cannot rank epochs). A curriculum (run 7): Stage 1
        // for 120 epochs at 1e-3 (it had not fitted at 30), then Stage 2 fine-tuned for 20
        // epochs at 1e-4 — 0.80–0.86 on 40 patients in six draws against one of 0.79 for
        // 30 + 30 epochs at 1e-3, and 0.83 on 100 (80 Stage 1 epochs) against naive's 0.72;
        // 640–700 s on 40 patients (runs 7–10).
        c.network.input = InputKind::Subtractions;
        c.network.inputScaling = InputScaling::Channel;
        c.network.breastPool = BreastPool::Max;
        c.patchJitter = 0.25;
        c.backgroundPatches = 1.0;
        c.augmentation.enabled = true;
        c.selection = SelectionMetric::Last;
        // With the last epoch kept, validation only watches: every 10th epoch (and each
        // stage's last) instead of all 140 per fold.
        c.validationInterval = 10;
        c.schedule = LearningRateSchedule::Cosine;
        c.stage1 = {1e-3, 120, 0};
        c.stage2 = mode == TrainingMode::Curriculum ? StageSettings{1e-4, 20, 0}
                                                    : StageSettings{1e-3, 30, 0};
        // Items are made inline: on 2 cores a loader thread competes with LibTorch's two
        // (bench_ml_training, demo sizes: Stage 1 163 vs 95 samples/s, Stage 2 15.1 vs 13.8
        // with 0 vs 1 loader thread; same items either way).
        c.loaderThreads = 0;
        // An ensemble's members side by side, one thread each: two of them trained a c40 fold
        // in 131 s, where one network on two threads took 85 s (doc/RESULTS-early-runs.md,
        // runs 20–25).
        c.parallelMembers = 2;
        c.cacheMegabytes = 512;
        if (name == "demo-v1") {
            return c;  // the demo preset of runs 1–32 (doc/configs name it)
        }
        // Run 31 (doc/RESULTS-runs-30-32.md): the studies' own 192 × 192 × 24 grid (breasts
        // 96 × 96 × 24, no resampling of small lesions); a breast read as the 32 × 32 × 4
        // windows Stage 1 learnt on, half a window apart, its logits the most malignant
        // window's; Stage 2 trains each breast's most malignant of its 8 candidate windows with
        // the breast's label, Stage 1's patches beside them, batch norm kept as Stage 1 left
        // it. Six draws (3 cohorts × 2 splits): 0.845 against demo-v1's 0.743, above it on every
        // draw; 494–518 s on 40 patients. Naive (run 32): the same breasts and windows from
        // scratch, every window scored each epoch.
        c.preprocess.grid = {192, 192, 24};
        c.preprocess.cropRows = 96;
        c.network.cellPool = patchCells(c.patchSize);
        c.network.breastTile = c.patchSize;
        c.network.breastStride = {c.patchSize[0] / 2, c.patchSize[1] / 2, c.patchSize[2] / 2};
        if (mode == TrainingMode::Curriculum) {
            c.stage2Head = Stage2Head::Stage1;
            c.stage2Windows = 8;
            c.stage2FrozenBatchNorm = true;
            c.stage2Rehearsal = true;
        } else {
            c.stage2Windows = kAllWindows;  // 275 on a 96 × 96 × 24 breast (5 × 5 × 11)
        }
        if (name == "demo-v2") {
            return c;  // the demo preset of runs 33–43: run 31's settings
        }
        // Run 44 (doc/RESULTS-run-44.md): the head also reads the stem's maximum over each window
        // (peak_features "stem"), so a window's logit follows its strongest local response, not
        // only what C5 averages (run 43: the lesion scores followed the lesion's size). Six
        // cohorts, two tools: above demo-v2 on five; on average +0.023 by fold mean, +0.012 pooled.
        c.network.peakFeatures = PeakFeatures::Stem;
        if (name == "demo-v3") {
            return c;  // the demo preset of runs 44–45
        }
        // Run 46 (doc/RESULTS-run-46.md): the head also reads the kinetic curve and T2 at each
        // window's most enhancing voxel (peak_curve), where a cancer of 3–5 mm keeps its full
        // uptake.
        c.network.peakCurve = true;
        if (name == "demo-v4") {
            return c;  // run 46's, the demo preset until run 48
        }
        // Runs 47–48 (doc/RESULTS-run-48.md): what enhances in one unbroken run from the crop's
        // last row forward is cleared before training and reading (the thorax that one tool's
        // studies make enhance behind the breast, whose brightest voxel the curve would read).
        c.preprocess.posteriorWallFraction = 0.3;
        if (name == "demo-v5") {
            return c;  // runs 47–48's, the demo preset until run 58
        }
        // Runs 57–58 (doc/RESULTS-run-58.md): a curriculum's Stage 2 at naive's learning rate,
        // 1e-3 instead of run 7's 1e-4. Over fifteen draws +0.007 pooled (−0.001 … +0.015), all
        // of it on the cancers under 6 mm, which demo-v5 scored below naive; the larger ones
        // ranked as before.
        if (mode == TrainingMode::Curriculum) {
            c.stage2.learningRate = 1e-3;
        }
        return c;
    }
    std::string known;
    for (const auto& n : names) {
        known += (known.empty() ? "" : ", ") + n;
    }
    throw IoError(ErrorCode::InvalidArgument, {},
                  "unknown preset '" + name + "' (known: " + known + ")");
}

ResNet3dOptions TrainingConfig::memberNetwork(int member) const {
    auto options = network;
    if (!ensembleInputs.empty()) {
        options.input = ensembleInputs.at(static_cast<std::size_t>(member));
    }
    return options;
}

json TrainingConfig::toJson() const {
    const auto grid = preprocess.grid;
    return {
        {"preset", preset},
        {"mode", std::string(modeName(mode))},
        {"grid", {grid[0], grid[1], grid[2]}},
        {"crop_rows", preprocess.cropRows},
        {"posterior_wall", preprocess.posteriorWallFraction},
        {"width", network.width},
        {"blocks", {network.blocks[0], network.blocks[1], network.blocks[2], network.blocks[3]}},
        {"norm", nameOf(kNorms, network.norm)},
        {"head_init", nameOf(kHeadInits, network.headInit)},
        {"input", nameOf(kInputs, network.input)},
        {"input_scaling", nameOf(kInputScalings, network.inputScaling)},
        {"peak_features", nameOf(kPeakFeatures, network.peakFeatures)},
        {"peak_curve", network.peakCurve},
        {"patch_size", {patchSize[0], patchSize[1], patchSize[2]}},
        {"patch_jitter", patchJitter},
        {"patch_border", nameOf(kPatchBorders, patchBorder)},
        {"batch_size", batchSize},
        {"stage1", stageJson(stage1)},
        {"stage2", stageJson(stage2)},
        {"augmentation",
         {{"enabled", augmentation.enabled},
          {"mirror_x", augmentation.mirrorX},
          {"mirror_y", augmentation.mirrorY},
          {"max_rotation_degrees", augmentation.maxRotationDegrees},
          {"min_scale", augmentation.minScale},
          {"max_scale", augmentation.maxScale},
          {"min_uptake_scale", augmentation.minUptakeScale},
          {"max_uptake_scale", augmentation.maxUptakeScale},
          {"drop_uptake", augmentation.dropUptake}}},
        {"class_balanced", classBalanced},
        {"hard_examples", hardExamples},
        {"background_patches", backgroundPatches},
        {"background_candidates", backgroundCandidates},
        {"cell_loss", cellLoss},
        {"stage2_windows", stage2Windows == kAllWindows ? json("all") : json(stage2Windows)},
        {"stage2_rehearsal", stage2Rehearsal},
        {"stage2_positives", nameOf(kPositives, stage2Positives)},
        {"selection", std::string(selectionName(selection))},
        {"stage2_head", nameOf(kStage2Heads, stage2Head)},
        {"lr_schedule", nameOf(kSchedules, schedule)},
        {"stage2_frozen_batch_norm", stage2FrozenBatchNorm},
        {"breast_pass", nameOf(kBreastPasses, passOf(network))},
        {"window_stride",
         passOf(network) == BreastPass::Windows
             ? json{network.breastStride[0], network.breastStride[1], network.breastStride[2]}
             : json{0, 0, 0}},
        {"window_margin",
         json{network.breastMargin[0], network.breastMargin[1], network.breastMargin[2]}},
        {"breast_pool", nameOf(kBreastPools, network.breastPool)},
        {"breast_top_cells", network.breastTopCells},
        {"breast_cells", nameOf(kBreastCells, cellsOf(network))},
        {"test_augmentation", nameOf(kTestAugmentations, testAugmentation)},
        {"folds", folds},
        {"ensemble", ensemble},
        {"ensemble_inputs",
         [this] {
             json names = json::array();
             for (const auto kind : ensembleInputs) {
                 names.push_back(inputName(kind));
             }
             return names;
         }()},
        {"validation_fraction", validationFraction},
        {"validation_interval", validationInterval},
        {"checkpoint_seconds", checkpointSeconds},
        {"seed", seed},
        {"bf16", bf16},
        {"threads", threads},
        {"parallel_members", parallelMembers},
        {"loader_threads", loaderThreads},
        {"cache_megabytes", cacheMegabytes},
    };
}

TrainingConfig TrainingConfig::fromJson(const json& j, const std::filesystem::path& source) {
    if (!j.is_object()) {
        fail(source, "a training config must be a JSON object");
    }
    std::string presetName = "paper";
    if (j.contains("preset")) {
        if (!j["preset"].is_string()) {
            fail(source, "'preset' must be a string");
        }
        presetName = j["preset"].get<std::string>();
    }
    // The preset's settings may depend on the mode (see fromPreset); a bad mode is reported
    // below with the other keys.
    auto mode = TrainingMode::Curriculum;
    if (j.contains("mode") && j["mode"].is_string()) {
        for (const auto& [value, name] : kModes) {
            if (j["mode"].get<std::string>() == name) {
                mode = value;
            }
        }
    }
    TrainingConfig c;
    try {
        c = fromPreset(presetName, mode);
    } catch (const IoError& e) {
        fail(source, e.reason());
    }
    std::array<std::int64_t, 3> grid = c.preprocess.grid;
    std::array<std::int64_t, 4> blocks = c.network.blocks;
    std::string ignoredPreset;
    BreastPass pass = passOf(c.network);
    BreastCells cells = cellsOf(c.network);
    // "window_stride": the step between windows of "breast_pass": "windows" (0 0 0: half the
    // patch). A finer step puts every lesion nearer some window's centre.
    std::array<std::int64_t, 3> windowStride{0, 0, 0};
    readObject(
        j, "",
        {{"preset", into(ignoredPreset)},
         {"mode", intoChoice(c.mode, kModes, "mode", source)},
         {"grid", intoTriple(grid)},
         {"crop_rows", into(c.preprocess.cropRows)},
         {"posterior_wall", into(c.preprocess.posteriorWallFraction)},
         {"width", into(c.network.width)},
         {"blocks",
          [&blocks](const json& v) {
              if (!v.is_array() || v.size() != 4) {
                  throw json::type_error::create(302, "expected four integers", &v);
              }
              for (std::size_t i = 0; i < 4; ++i) {
                  if (!v[i].is_number_integer()) {
                      throw json::type_error::create(302, "expected four integers", &v);
                  }
                  blocks[i] = v[i].get<std::int64_t>();
              }
          }},
         {"norm", intoChoice(c.network.norm, kNorms, "norm", source)},
         {"head_init", intoChoice(c.network.headInit, kHeadInits, "head_init", source)},
         {"input", intoChoice(c.network.input, kInputs, "input", source)},
         {"input_scaling",
          intoChoice(c.network.inputScaling, kInputScalings, "input_scaling", source)},
         {"peak_features",
          intoChoice(c.network.peakFeatures, kPeakFeatures, "peak_features", source)},
         {"peak_curve", into(c.network.peakCurve)},
         {"patch_size", intoTriple(c.patchSize)},
         {"patch_jitter", into(c.patchJitter)},
         {"patch_border", intoChoice(c.patchBorder, kPatchBorders, "patch_border", source)},
         {"batch_size", into(c.batchSize)},
         {"stage1", intoStage(c.stage1, "stage1", source)},
         {"stage2", intoStage(c.stage2, "stage2", source)},
         {"augmentation",
          [&c, &source](const json& v) {
              auto& a = c.augmentation;
              readObject(v, "augmentation.",
                         {{"enabled", into(a.enabled)},
                          {"mirror_x", into(a.mirrorX)},
                          {"mirror_y", into(a.mirrorY)},
                          {"max_rotation_degrees", into(a.maxRotationDegrees)},
                          {"min_scale", into(a.minScale)},
                          {"max_scale", into(a.maxScale)},
                          {"min_uptake_scale", into(a.minUptakeScale)},
                          {"max_uptake_scale", into(a.maxUptakeScale)},
                          {"drop_uptake", into(a.dropUptake)}},
                         source);
          }},
         {"class_balanced", into(c.classBalanced)},
         {"hard_examples", into(c.hardExamples)},
         {"background_patches", into(c.backgroundPatches)},
         {"background_candidates", into(c.backgroundCandidates)},
         {"cell_loss", into(c.cellLoss)},
         {"stage2_windows", intoWindowCount(c.stage2Windows)},
         {"stage2_rehearsal", into(c.stage2Rehearsal)},
         {"stage2_positives",
          intoChoice(c.stage2Positives, kPositives, "stage2_positives", source)},
         {"selection", intoChoice(c.selection, kSelections, "selection", source)},
         {"stage2_head", intoChoice(c.stage2Head, kStage2Heads, "stage2_head", source)},
         {"lr_schedule", intoChoice(c.schedule, kSchedules, "lr_schedule", source)},
         {"stage2_frozen_batch_norm", into(c.stage2FrozenBatchNorm)},
         {"breast_pass", intoChoice(pass, kBreastPasses, "breast_pass", source)},
         {"window_stride", intoTriple(windowStride)},
         {"window_margin", intoTriple(c.network.breastMargin)},
         {"breast_pool", intoChoice(c.network.breastPool, kBreastPools, "breast_pool", source)},
         {"breast_top_cells", into(c.network.breastTopCells)},
         {"breast_cells", intoChoice(cells, kBreastCells, "breast_cells", source)},
         {"test_augmentation",
          intoChoice(c.testAugmentation, kTestAugmentations, "test_augmentation", source)},
         {"folds", into(c.folds)},
         {"ensemble", into(c.ensemble)},
         {"ensemble_inputs",
          [&c, &source](const json& v) {
              if (!v.is_array()) {
                  throw json::type_error::create(302, "expected an array of input names", &v);
              }
              c.ensembleInputs.assign(v.size(), InputKind::Phases);
              for (std::size_t i = 0; i < v.size(); ++i) {
                  intoChoice(c.ensembleInputs[i], kInputs, "ensemble_inputs", source)(v[i]);
              }
          }},
         {"validation_fraction", into(c.validationFraction)},
         {"validation_interval", into(c.validationInterval)},
         {"checkpoint_seconds", into(c.checkpointSeconds)},
         {"seed", into(c.seed)},
         {"bf16", into(c.bf16)},
         {"threads", into(c.threads)},
         {"parallel_members", into(c.parallelMembers)},
         {"loader_threads", into(c.loaderThreads)},
         {"cache_megabytes", into(c.cacheMegabytes)}},
        source);
    c.preprocess.grid = grid;
    c.network.blocks = blocks;
    const auto& p = c.patchSize;
    c.network.cellPool =
        cells == BreastCells::Pooled ? std::array<std::int64_t, 3>{2, 2, 1} : patchCells(p);
    c.network.breastTile = pass == BreastPass::Whole ? std::array<std::int64_t, 3>{0, 0, 0} : p;
    const bool defaultStride = windowStride == std::array<std::int64_t, 3>{0, 0, 0};
    c.network.breastStride = pass != BreastPass::Windows ? c.network.breastTile
                             : defaultStride
                                 ? std::array<std::int64_t, 3>{p[0] / 2, p[1] / 2, p[2] / 2}
                                 : windowStride;
    c.validate(source);
    return c;
}

namespace {

json readConfigFile(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw IoError(ErrorCode::NotFound, file, "cannot open the training config");
    }
    json j;
    try {
        in >> j;
    } catch (const json::parse_error& e) {
        throw IoError(ErrorCode::NotReadable, file, std::string("not valid JSON: ") + e.what());
    }
    return j;
}

}  // namespace

TrainingConfig TrainingConfig::load(const std::filesystem::path& file, const std::string& mode) {
    auto j = readConfigFile(file);
    if (!mode.empty() && j.is_object()) {
        j["mode"] = mode;
    }
    return fromJson(j, file);
}

TrainingConfig TrainingConfig::fromRecord(const json& j, const std::filesystem::path& source) {
    if (!j.is_object()) {
        return fromJson(j, source);  // the same clear error
    }
    // E.g. input_scaling (session 6): a demo run recorded before it must load unscaled, as it
    // was trained, although the demo preset now scales.
    auto complete = j;
    const auto defaults = TrainingConfig{}.toJson();
    for (const auto& [key, value] : defaults.items()) {
        if (key != "preset" && !complete.contains(key)) {
            complete[key] = value;
        }
    }
    return fromJson(complete, source);
}

TrainingConfig TrainingConfig::loadRecord(const std::filesystem::path& file) {
    return fromRecord(readConfigFile(file), file);
}

void TrainingConfig::validate(const std::filesystem::path& source) const {
    auto require = [&source](bool ok, const std::string& what) {
        if (!ok) {
            fail(source, what);
        }
    };
    const auto& g = preprocess.grid;
    require(g[0] > 0 && g[1] > 0 && g[2] > 0 && g[0] <= 2048 && g[1] <= 2048 && g[2] <= 512,
            "'grid' must be positive and at most 2048 × 2048 × 512");
    require(g[0] % 2 == 0, "'grid' x must be even (two breasts)");
    require(preprocess.cropRows > 0 && preprocess.cropRows <= g[1],
            "'crop_rows' must be between 1 and the grid's y size");
    require(preprocess.posteriorWallFraction >= 0 && preprocess.posteriorWallFraction < 1,
            "'posterior_wall' must be in [0, 1): 0 keeps the breasts as cut, f clears what "
            "enhances above f x the breast's highest in one run from the crop's last row");
    // The whole-breast head pools (2,2,1) after strides (32, 32, 4): the breast needs at least
    // 64 × 64 in-plane and 4 slices, in multiples of the strides.
    const std::int64_t bx = g[0] / 2, by = preprocess.cropRows, bz = g[2];
    require(
        bx % 32 == 0 && by % 32 == 0 && bz % 4 == 0 && bx >= 64 && by >= 64,
        "breast grid " + dims({bx, by, bz}) + " must be multiples of 32×32×4 and at least 64×64×4");
    require(patchSize[0] % 32 == 0 && patchSize[1] % 32 == 0 && patchSize[2] % 4 == 0 &&
                patchSize[0] >= 32 && patchSize[1] >= 32 && patchSize[2] >= 4,
            "'patch_size' must be multiples of 32×32×4");
    // Instance norm of a one-voxel C5 map is zero for every input: a 32×32×4 patch needs
    // batch norm.
    require(network.norm == NormKind::Batch ||
                patchSize[0] * patchSize[1] * patchSize[2] / (32 * 32 * 4) >= 2,
            "'patch_size' 32×32×4 gives a one-voxel C5 map, which instance norm sets to zero: "
            "use a larger patch or \"norm\": \"batch\"");
    require(patchSize[0] <= bx && patchSize[1] <= by && patchSize[2] <= bz,
            "'patch_size' must fit in the breast grid");
    const auto& cell = network.cellPool;
    require(cellsOf(network) == BreastCells::Pooled ||
                (cell == patchCells(patchSize) && (bx / 32) % cell[0] == 0 &&
                 (by / 32) % cell[1] == 0 && (bz / 4) % cell[2] == 0),
            "'breast_cells' \"patch\" needs a breast grid that is a whole number of patches");
    // A one-pass breast's C5 map is pooled into cells (the (2,2,1) pool of NETWORK.md, or the
    // patch cells): a map that is not a whole number of cells would lose its last row or
    // column (a 96-wide breast's 3 × 3 map pooled by 2 × 2 kept 4 of its 9 positions).
    const bool onePass = network.breastTile == std::array<std::int64_t, 3>{0, 0, 0};
    require(!onePass ||
                ((bx / 32) % cell[0] == 0 && (by / 32) % cell[1] == 0 && (bz / 4) % cell[2] == 0),
            "'breast_cells' \"pooled\" needs a C5 map (breast / (32, 32, 4)) that is a whole "
            "number of " +
                std::to_string(cell[0]) + "×" + std::to_string(cell[1]) + "×" +
                std::to_string(cell[2]) +
                " cells: use \"breast_cells\": \"patch\" or another grid");
    const auto& tile = network.breastTile;
    const auto& step = network.breastStride;
    const std::array<std::int64_t, 3> none{0, 0, 0};
    const std::array<std::int64_t, 3> breast{bx, by, bz};
    const auto& margin = network.breastMargin;
    bool marginFits = true;
    for (int d = 0; d < 3; ++d) {
        marginFits = marginFits && margin[d] >= 0 && (margin[d] == 0 || margin[d] < tile[d]);
    }
    require(marginFits && (margin == none || tile != none),
            "'window_margin' must be 0 0 0 or, with \"breast_pass\" \"windows\" or \"tiles\", "
            "non-negative and smaller than the patch on each axis");
    bool windowsFit = tile == patchSize;
    for (int d = 0; d < 3; ++d) {
        windowsFit = windowsFit && step[d] <= tile[d] &&
                     windowCount(breast[d], tile[d], step[d], margin[d]) > 0;
    }
    require((tile == none && step == none) || windowsFit,
            "'breast_pass' \"" + std::string(nameOf(kBreastPasses, passOf(network))) +
                "\" needs a breast grid covered by whole patches (breast " + dims(breast) +
                (margin == none ? "" : " with a margin of " + dims(margin) + " each side") +
                ", patch " + dims(patchSize) + ")");
    require(network.width > 0 && network.width <= 256, "'width' must be in 1..256");
    require(network.breastTopCells >= 1 && network.breastTopCells <= 4096 &&
                (network.breastTopCells == 1 || network.breastPool == BreastPool::Max),
            "'breast_top_cells' must be in 1..4096, and 1 unless \"breast_pool\" is \"max\"");
    for (const auto b : network.blocks) {
        require(b >= 1 && b <= 64, "'blocks' must be in 1..64");
    }
    require(patchJitter >= 0 && patchJitter <= 0.5, "'patch_jitter' must be in 0..0.5");
    require(batchSize >= 1 && batchSize <= 1024, "'batch_size' must be in 1..1024");
    for (const auto* s : {&stage1, &stage2}) {
        require(s->learningRate > 0 && s->learningRate < 1, "learning rates must be in (0, 1)");
        require(s->epochs >= 0 && s->epochs <= 100000, "'epochs' must be in 0..100000");
        require(s->patience >= 0, "'patience' must be >= 0");
    }
    require(augmentation.maxRotationDegrees >= 0 && augmentation.maxRotationDegrees <= 180,
            "'max_rotation_degrees' must be in 0..180");
    require(augmentation.minScale > 0 && augmentation.minScale <= augmentation.maxScale &&
                augmentation.maxScale <= 4,
            "scales must satisfy 0 < min_scale <= max_scale <= 4");
    require(augmentation.minUptakeScale >= 0.1 &&
                augmentation.minUptakeScale <= augmentation.maxUptakeScale &&
                augmentation.maxUptakeScale <= 10,
            "uptake scales must satisfy 0.1 <= min_uptake_scale <= max_uptake_scale <= 10");
    require(augmentation.dropUptake >= 0.0 && augmentation.dropUptake < 1.0,
            "'drop_uptake' must be in [0, 1)");
    require(backgroundPatches >= 0 && backgroundPatches <= 10,
            "'background_patches' must be in 0..10");
    require(hardExamples >= 0.0 && hardExamples <= 1.0, "'hard_examples' must be in 0..1");
    require(hardExamples == 0.0 || !classBalanced,
            "'hard_examples' draws by loss, 'class_balanced' by class: use one of them");
    require(backgroundCandidates >= 1 && backgroundCandidates <= 64,
            "'background_candidates' must be in 1..64");
    require(cellLoss >= 0 && cellLoss <= 100, "'cell_loss' must be in 0..100");
    require(cellLoss == 0 || (network.breastPool == BreastPool::Max && network.breastTile == none),
            "'cell_loss' needs \"breast_pool\": \"max\" and \"breast_pass\": \"whole\"");
    require(stage2Windows == kAllWindows || (stage2Windows >= 0 && stage2Windows <= 4096),
            "'stage2_windows' must be in 0..4096 or \"all\"");
    require(
        stage2Windows == 0 || (network.breastPool == BreastPool::Max && network.breastTile != none),
        "'stage2_windows' needs \"breast_pool\": \"max\" and \"breast_pass\": \"windows\" "
        "or \"tiles\"");
    require(!stage2Rehearsal || (stage2Windows > 0 && mode == TrainingMode::Curriculum),
            "'stage2_rehearsal' needs a curriculum with 'stage2_windows' > 0");
    require(stage2Positives == PositiveWindows::Top ||
                (stage2Windows > 0 && mode == TrainingMode::Curriculum),
            "'stage2_positives' \"lesions\" needs a curriculum with 'stage2_windows' > 0");
    require(folds >= 2 && folds <= 20, "'folds' must be in 2..20");
    require(ensemble >= 1 && ensemble <= 16, "'ensemble' must be in 1..16");
    require(ensembleInputs.empty() || ensembleInputs.size() == static_cast<std::size_t>(ensemble),
            "'ensemble_inputs' must name one input per member (" + std::to_string(ensemble) +
                "), or be empty");
    require(validationFraction >= 0 && validationFraction < 1,
            "'validation_fraction' must be in [0, 1)");
    // Without a validation set nothing can select an epoch or stop early: the training set
    // takes every non-test patient and the last epoch is the model.
    require(validationFraction > 0 || (selection == SelectionMetric::Last && stage1.patience == 0 &&
                                       stage2.patience == 0),
            "'validation_fraction' 0 (no validation set) needs \"selection\": \"last\" and "
            "'patience' 0");
    require(validationInterval >= 1 && validationInterval <= 1000,
            "'validation_interval' must be in 1..1000");
    require(parallelMembers >= 1 && parallelMembers <= 16, "'parallel_members' must be in 1..16");
    require(checkpointSeconds >= 0 && checkpointSeconds <= 86400,
            "'checkpoint_seconds' must be in [0, 86400]");
    require(threads >= 0 && loaderThreads >= 0 && loaderThreads <= 64,
            "thread counts must be >= 0");
    require(cacheMegabytes >= 16, "'cache_megabytes' must be at least 16");
}

}  // namespace bmsc::ml
