#pragma once

#include "breastmsc/io/Progress.h"
#include "breastmsc/ml/TrainingConfig.h"
#include "breastmsc/ml/TrainingObserver.h"

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::ml {

struct RunOptions {
    std::filesystem::path cohort;
    std::filesystem::path out;    ///< the run folder (RUN)
    std::filesystem::path cache;  ///< preprocessed cohort; empty = RUN/cache
    bool resume = false;          ///< continue RUN from its last checkpoints
    torch::Device device{torch::kCPU};
    int maxFolds = 0;  ///< run only the first N folds (0 = all); for quick checks
};

struct RunResult {
    nlohmann::json metrics;  ///< what RUN/metrics.json holds
    double seconds = 0.0;
    double dataWaitSeconds = 0.0;
    double computeSeconds = 0.0;
    double windowSeconds = 0.0;  ///< Stage 2 over windows: finding and choosing them
    double validationSeconds = 0.0;
    std::vector<std::string> notes;
};

/// The whole cross-validated experiment (issue 3 §3): preprocesses the cohort once (cached),
/// splits patients into stratified folds (stratum 1 if any breast is malignant), and per fold
/// trains by `config.mode` (curriculum: Stage 1 patches, then Stage 2 whole breasts from the
/// Stage-1 backbone with a fresh head; naive: Stage 2 from scratch; stage1: patches only),
/// predicts the test patients and writes RUN/fold<k>/predictions.csv, then RUN/metrics.json,
/// metrics.csv, roc.csv, roc.svg and the learning curves, curves.csv and curves.svg (from the
/// checkpoints' histories, LearningCurves.h). RUN also gets config.json, run.json, folds.json,
/// train.log. A finished fold is skipped on resume; an unfinished one continues from its last
/// checkpoint. Throws io::IoError: InvalidValue for an empty cohort or one class only,
/// InvalidArgument for a RUN that exists without `resume` or a config that differs from the
/// RUN's, Corrupt for unreadable checkpoints, Cancelled when the observer cancels.
RunResult runCrossValidation(const TrainingConfig& config, const RunOptions& options,
                             TrainingObserver* observer = nullptr,
                             io::Progress* preprocessProgress = nullptr);

/// The config stored in RUN/config.json (for resume and evaluate).
TrainingConfig loadRunConfig(const std::filesystem::path& run);

/// The cohort RUN was trained on, as RUN/run.json records it (for resume without --cohort).
/// Throws io::IoError naming run.json when it is missing, not JSON, or records no cohort.
std::filesystem::path loadRunCohort(const std::filesystem::path& run);

/// Recomputes RUN/metrics.* from the folds' predictions.csv and RUN/curves.* from the
/// checkpoints, and returns the metrics.
nlohmann::json evaluateRun(const std::filesystem::path& run);

/// "cpu", "cuda", "cuda:1" → a device; io::IoError(InvalidArgument) if unknown or CUDA is
/// not available in this LibTorch.
torch::Device parseDevice(const std::string& text);

}  // namespace bmsc::ml
