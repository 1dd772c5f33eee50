#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bmsc::ml {

/// One fold of a patient-level split: both breasts of a patient are always in one subset.
struct Fold {
    std::vector<std::string> train;
    std::vector<std::string> validation;
    std::vector<std::string> test;
};

/// K-fold cross-validation at patient level, stratified by `strata` (e.g. 1 if any breast of
/// the patient is malignant): each patient is in exactly one test fold; of the others,
/// `validationFraction` (per stratum) form the validation set — 64/16/20 % for 5 folds and 0.2,
/// as in the paper. Deterministic for a seed. Throws std::invalid_argument when there are fewer
/// patients than folds or the inputs disagree.
std::vector<Fold> crossValidationFolds(const std::vector<std::string>& patients,
                                       const std::vector<int>& strata, int folds = 5,
                                       double validationFraction = 0.2, std::uint64_t seed = 1);

}  // namespace bmsc::ml
