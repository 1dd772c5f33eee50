#include "breastmsc/ml/CrossValidation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

namespace bmsc::ml {
namespace {

// Fisher–Yates with our own index draws: std::shuffle's use of the engine is
// implementation-defined, and splits must be the same on every platform.
template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
}

}  // namespace

std::vector<Fold> crossValidationFolds(const std::vector<std::string>& patients,
                                       const std::vector<int>& strata, int folds,
                                       double validationFraction, std::uint64_t seed) {
    if (patients.size() != strata.size()) {
        throw std::invalid_argument("patients and strata differ in length");
    }
    if (folds < 2 || patients.size() < static_cast<std::size_t>(folds)) {
        throw std::invalid_argument("cross-validation needs at least as many patients (" +
                                    std::to_string(patients.size()) + ") as folds (" +
                                    std::to_string(folds) + "), and at least 2 folds");
    }
    if (std::set<std::string>(patients.begin(), patients.end()).size() != patients.size()) {
        throw std::invalid_argument("a patient id appears twice");
    }
    std::mt19937_64 rng(seed);
    std::map<int, std::vector<std::string>> byStratum;
    for (std::size_t i = 0; i < patients.size(); ++i) {
        byStratum[strata[i]].push_back(patients[i]);
    }
    // Deal each stratum's shuffled patients round-robin, continuing where the previous stratum
    // stopped so that fold sizes differ by at most one.
    std::vector<std::vector<std::pair<std::string, int>>> testFolds(
        static_cast<std::size_t>(folds));
    std::size_t next = 0;
    for (auto& [stratum, ids] : byStratum) {
        shuffle(ids, rng);
        for (const auto& id : ids) {
            testFolds[next++ % static_cast<std::size_t>(folds)].emplace_back(id, stratum);
        }
    }
    std::vector<Fold> result(static_cast<std::size_t>(folds));
    for (std::size_t f = 0; f < result.size(); ++f) {
        std::map<int, std::vector<std::string>> rest;
        for (std::size_t g = 0; g < testFolds.size(); ++g) {
            for (const auto& [id, stratum] : testFolds[g]) {
                (g == f ? result[f].test : rest[stratum]).push_back(id);
            }
        }
        std::mt19937_64 foldRng(seed * 1000003u + f);
        for (auto& [stratum, ids] : rest) {
            std::sort(ids.begin(), ids.end());
            shuffle(ids, foldRng);
            const auto nValidation = static_cast<std::size_t>(
                std::lround(validationFraction * static_cast<double>(ids.size())));
            for (std::size_t i = 0; i < ids.size(); ++i) {
                (i < nValidation ? result[f].validation : result[f].train).push_back(ids[i]);
            }
        }
        std::sort(result[f].train.begin(), result[f].train.end());
        std::sort(result[f].validation.begin(), result[f].validation.end());
        std::sort(result[f].test.begin(), result[f].test.end());
    }
    return result;
}

}  // namespace bmsc::ml
