#pragma once

#include "breastmsc/ml/Metrics.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::ml {

/// Test-set predictions of one fold (one row per breast, or per patch in `stage1` mode).
struct FoldPredictions {
    int fold = 0;  ///< 0-based
    std::vector<std::string> patientIds;
    std::vector<std::string> sides;
    std::vector<int> lesions;  ///< lesion index for patch predictions, -1 for whole breasts
    std::vector<int> labels;   ///< 1 malignant, 0 benign, -1 unlabelled (not scored)
    std::vector<double> probabilities;
};

/// Writes `fold<k>/predictions.csv` atomically.
void writePredictions(const std::filesystem::path& file, const FoldPredictions& predictions);
/// Reads it back (io::IoError naming the file and line on bad content).
FoldPredictions readPredictions(const std::filesystem::path& file, int fold);

/// The metrics of a whole run: per fold (AUROC, accuracy at 0.5, sensitivity, specificity,
/// bootstrap 95 % CI of the AUROC) and mean ± sample std over folds; the mean ROC on a common
/// FPR grid of 101 points with ±1 std. Writes RUN/metrics.json, RUN/metrics.csv, RUN/roc.csv
/// and RUN/roc.svg (all atomically) and returns the JSON. `extra` is merged into the JSON.
nlohmann::json writeRunReport(const std::filesystem::path& run,
                              const std::vector<FoldPredictions>& folds,
                              const nlohmann::json& extra = {});

/// A plain-text table of a metrics JSON (per fold, then mean ± std) for terminals.
std::string formatMetricsTable(const nlohmann::json& metrics);

}  // namespace bmsc::ml
