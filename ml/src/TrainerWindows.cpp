#include "breastmsc/ml/Trainer.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/ml/WindowMining.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>

// Trainer: Stage 2's window candidates (TrainingConfig::stage2Windows) — found under the
// Stage 1 weights, or read back from a checkpoint — kept apart from the training loop.

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::map<std::size_t, std::vector<Triple>> Trainer::storedCandidates(const json& state,
                                                                     const fs::path& file) const {
    std::map<std::size_t, std::vector<Triple>> stored;
    if (!state.contains("window_candidates")) {
        return stored;
    }
    // A hand-edited or foreign checkpoint: an error that names it, never a window outside the
    // breast.
    const auto& grid = config_.preprocess.grid;
    const Triple breast{grid[0] / 2, config_.preprocess.cropRows, grid[2]};
    const auto& patch = config_.patchSize;
    const auto& margin = config_.network.breastMargin;
    const auto inside = [&](const Triple& o) {
        for (int a = 0; a < 3; ++a) {
            if (o[a] < -margin[a] || o[a] + patch[a] > breast[a] + margin[a]) {
                return false;
            }
        }
        return true;
    };
    const auto& list = state.at("window_candidates");
    bool valid = list.is_array();
    try {
        for (std::size_t i = 0; valid && i < list.size(); ++i) {
            const auto& entry = list[i];
            const auto& origins = entry.at("origins");
            valid = origins.is_array();
            auto& kept = stored[entry.at("breast").get<std::size_t>()];
            for (std::size_t k = 0; valid && k < origins.size(); ++k) {
                const auto& o = origins[k];
                const Triple origin{o.at(0).get<std::int64_t>(), o.at(1).get<std::int64_t>(),
                                    o.at(2).get<std::int64_t>()};
                valid = o.size() == 3 && inside(origin);
                kept.push_back(origin);
            }
        }
    } catch (const json::exception&) {
        valid = false;
    }
    if (!valid) {
        throw IoError(ErrorCode::Corrupt, file,
                      "malformed 'window_candidates': expected [{\"breast\": index, \"origins\": "
                      "[[x, y, z], ...]}, ...] with each window inside the " +
                          std::to_string(breast[0]) + "×" + std::to_string(breast[1]) + "×" +
                          std::to_string(breast[2]) + " breast" +
                          (margin == Triple{0, 0, 0} ? "" : " and its margin"));
    }
    return stored;
}

std::vector<Triple> Trainer::lesionWindows(const PreparedBreast& breast) const {
    std::vector<Triple> holding;
    if (breast.target() != 1) {
        return holding;
    }
    const Triple size{breast.shape[1], breast.shape[2], breast.shape[3]};
    for (const auto& origin : windowOrigins(config_.network, size)) {
        if (patchLabel(breast.lesions, origin, config_.network.breastTile) == 1) {
            holding.push_back(origin);
        }
    }
    return holding;
}

std::map<std::size_t, std::vector<Triple>> Trainer::windowCandidates(
    BreastClassifier& model, int fold, const std::vector<Sample>& train,
    std::map<std::size_t, std::vector<Triple>> saved) const {
    const bool complete = std::all_of(train.begin(), train.end(), [&](const Sample& s) {
        const auto it = saved.find(s.breast);
        return it != saved.end() && !it->second.empty();
    });
    if (!saved.empty() && complete) {
        return saved;
    }
    std::map<std::size_t, std::vector<Triple>> candidates;
    const auto start = Clock::now();
    model->eval();
    for (const auto& sample : train) {
        if (candidates.count(sample.breast) != 0) {
            continue;
        }
        if (cancelled()) {
            throw IoError(ErrorCode::Cancelled, {}, "training cancelled");
        }
        if (config_.stage2Positives == PositiveWindows::Lesions) {
            auto holding = lesionWindows(cohort_->breasts().at(sample.breast));
            if (!holding.empty()) {
                candidates[sample.breast] = std::move(holding);
                continue;
            }
        }
        if (config_.stage2Windows == kAllWindows) {
            // Every window is a candidate: scoring them only to keep them all cost a forward
            // pass over each breast (7–8 s a fold on the demo cohort). Their order only breaks
            // an epoch's ties (the first highest score wins): windows of equal content, say all
            // cleared, tie under any weights, and the scored order kept them in lattice order.
            const auto& shape = cohort_->breasts().at(sample.breast).shape;
            auto all = windowOrigins(config_.network, {shape[1], shape[2], shape[3]});
            if (all.empty()) {
                throw std::invalid_argument("the breast grid is not covered by whole windows");
            }
            candidates[sample.breast] = std::move(all);
            continue;
        }
        candidates[sample.breast] = mostMalignantWindows(
            model, cohort_->load(sample.breast), config_.stage2Windows, device_, config_.bf16);
    }
    const auto count = config_.stage2Windows == kAllWindows
                           ? std::string("all")
                           : "the " + std::to_string(config_.stage2Windows) + " most malignant";
    const char* positives = config_.stage2Positives == PositiveWindows::Lesions
                                ? "; a malignant breast's, those that hold its lesions"
                                : "";
    char line[240];
    std::snprintf(line, sizeof line,
                  "%s: %s windows of each of %zu breasts are its candidates%s (%.1f s)",
                  where(fold, 2).c_str(), count.c_str(), candidates.size(), positives,
                  std::chrono::duration<double>(Clock::now() - start).count());
    note(line);
    return candidates;
}

}  // namespace bmsc::ml
