#pragma once

#include "breastmsc/ml/Metrics.h"

#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

namespace bmsc::ml {

/// One test fold of two runs on the same folds.
struct FoldComparison {
    int fold = 0;  ///< 0-based
    std::int64_t breasts = 0;
    double aurocA = 0.0;
    double aurocB = 0.0;
};

/// Two cross-validated runs on the same cohort, read from their folds' predictions.csv (the
/// out-of-fold probability of each breast).
struct RunComparison {
    std::int64_t patients = 0;
    std::int64_t breasts = 0;
    double pooledA = 0.0;  ///< AUROC over every fold's test breasts together
    double pooledB = 0.0;
    /// Percentile interval of pooledA − pooledB over a paired bootstrap of patients: both
    /// breasts of a patient drawn together, the same draw scored for both runs.
    Interval difference;
    double shareAtMostZero = 0.0;  ///< of the resamples, those with A − B ≤ 0
    int resamples = 0;
    /// Per test fold, where each breast lies in the same fold in both runs; else empty.
    std::vector<FoldComparison> folds;
    MeanStd foldDifference;  ///< mean ± std over folds of A − B (when `folds` is filled)
};

/// Compares RUN_A with RUN_B. Throws io::IoError naming the run: NotFound when a run has no
/// fold with predictions, InvalidValue when the runs hold different breasts or label one
/// differently (not the same cohort), or hold one class only. Deterministic for a seed.
RunComparison compareRuns(const std::filesystem::path& runA, const std::filesystem::path& runB,
                          int resamples = 2000, double level = 0.95, std::uint64_t seed = 1);

/// Pairs of runs, one pair per cohort, A always the same kind of run (the curriculum against
/// naive on several cohorts, say): is A above B over the cohorts together?
struct CohortsComparison {
    std::vector<RunComparison> cohorts;  ///< each pair on its own, as compareRuns gives it
    double meanDifference = 0.0;         ///< mean over the cohorts of pooledA − pooledB
    /// Percentile interval of the mean difference over a bootstrap stratified by cohort: each
    /// resample redraws every cohort's patients (paired, as in compareRuns) and averages the
    /// cohorts' differences.
    Interval difference;
    double shareAtMostZero = 0.0;  ///< of the resamples, those with a mean A − B ≤ 0
    int resamples = 0;
};

/// Compares each pair (A, B) as compareRuns does (each with its own generator seeded with
/// `seed`), then their mean. With one pair the interval is compareRuns'. Throws as compareRuns
/// does, and io::IoError(InvalidArgument) for no pair.
CohortsComparison compareRunPairs(
    const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& pairs,
    int resamples = 2000, double level = 0.95, std::uint64_t seed = 1);

}  // namespace bmsc::ml
