#include "breastmsc/ml/TrainingData.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace bmsc::ml {

namespace {

std::int64_t uniformInt(std::mt19937_64& rng, std::int64_t low, std::int64_t high) {
    // Inclusive range, computed from raw words so that it is the same on every platform.
    const auto span = static_cast<std::uint64_t>(high - low + 1);
    return low + static_cast<std::int64_t>(rng() % span);
}

}  // namespace

Triple lesionPatchOrigin(const std::array<double, 3>& lesion, const Triple& patch,
                         const Triple& volume, std::mt19937_64* rng, double jitter, bool inside) {
    Triple origin{};
    for (int d = 0; d < 3; ++d) {
        std::int64_t centre = std::llround(lesion[d]);
        if (rng != nullptr) {
            const auto q =
                static_cast<std::int64_t>(std::floor(jitter * static_cast<double>(patch[d])));
            centre += uniformInt(*rng, -q, q);
        }
        centre = std::clamp<std::int64_t>(centre, 0, volume[d] - 1);
        origin[d] = centre - patch[d] / 2;
        if (inside && patch[d] <= volume[d]) {
            origin[d] = std::clamp<std::int64_t>(origin[d], 0, volume[d] - patch[d]);
        }
    }
    return origin;
}

bool insidePatch(const std::array<double, 3>& point, const Triple& origin, const Triple& patch) {
    for (int d = 0; d < 3; ++d) {
        const auto p = std::llround(point[d]);
        if (p < origin[d] || p >= origin[d] + patch[d]) {
            return false;
        }
    }
    return true;
}

int patchLabel(const std::vector<BreastLesion>& lesions, const Triple& origin,
               const Triple& patch) {
    for (const auto& l : lesions) {
        if (l.label == io::Label::Malignant && insidePatch(l.index, origin, patch)) {
            return 1;
        }
    }
    return 0;
}

std::optional<Triple> backgroundPatchOrigin(const std::vector<BreastLesion>& lesions,
                                            const Triple& patch, const Triple& volume,
                                            std::mt19937_64& rng, int tries) {
    for (int t = 0; t < tries; ++t) {
        Triple origin{};
        for (int d = 0; d < 3; ++d) {
            origin[d] = uniformInt(rng, 0, std::max<std::int64_t>(0, volume[d] - patch[d]));
        }
        const bool free = std::none_of(lesions.begin(), lesions.end(), [&](const auto& l) {
            return insidePatch(l.index, origin, patch);
        });
        if (free) {
            return origin;
        }
    }
    return std::nullopt;
}

std::optional<Triple> enhancingBackgroundOrigin(const torch::Tensor& volume,
                                                const std::vector<BreastLesion>& lesions,
                                                const Triple& patch, std::mt19937_64& rng,
                                                int candidates) {
    const Triple size{volume.size(1), volume.size(2), volume.size(3)};
    if (candidates <= 1) {
        return backgroundPatchOrigin(lesions, patch, size, rng);
    }
    std::optional<Triple> best;
    float bestValue = 0.0F;
    for (int c = 0; c < candidates; ++c) {
        const auto origin = backgroundPatchOrigin(lesions, patch, size, rng);
        if (!origin) {
            return best;
        }
        // post1 − pre over the candidate's patch only: a whole-volume subtraction per
        // background item would cost a 256×256×32 pass for a 64×64×4 answer.
        using torch::indexing::Slice;
        const auto& o = *origin;
        const auto box = volume.index({Slice(0, 2), Slice(o[0], o[0] + patch[0]),
                                       Slice(o[1], o[1] + patch[1]), Slice(o[2], o[2] + patch[2])});
        const float value = (box[1] - box[0]).max().item<float>();
        if (!best || value > bestValue) {
            best = origin;
            bestValue = value;
        }
    }
    return best;
}

std::vector<Sample> stage1Samples(const PreparedCohort& cohort,
                                  const std::vector<std::size_t>& breasts, double background,
                                  std::vector<std::string>* notes) {
    std::vector<Sample> out;
    std::set<std::string> withLesions;
    std::vector<std::string> patientsSeen;
    for (const auto i : breasts) {
        const auto& b = cohort.breasts().at(i);
        if (std::find(patientsSeen.begin(), patientsSeen.end(), b.patientId) ==
            patientsSeen.end()) {
            patientsSeen.push_back(b.patientId);
        }
        for (std::size_t l = 0; l < b.lesions.size(); ++l) {
            Sample s;
            s.breast = i;
            s.kind = SampleKind::LesionPatch;
            s.lesion = static_cast<int>(l);
            s.target = b.lesions[l].label == io::Label::Malignant ? 1 : 0;
            out.push_back(s);
            withLesions.insert(b.patientId);
        }
    }
    if (notes != nullptr) {
        for (const auto& id : patientsSeen) {
            if (withLesions.count(id) == 0) {
                notes->push_back("Stage 1: patient " + id +
                                 " has no lesion inside the breast crops; no patch from it");
            }
        }
    }
    const auto lesionCount = static_cast<double>(out.size());
    const auto extra = static_cast<std::int64_t>(std::llround(background * lesionCount));
    std::map<std::size_t, int> slots;
    for (std::int64_t k = 0; k < extra && !breasts.empty(); ++k) {
        Sample s;
        s.breast = breasts[static_cast<std::size_t>(k) % breasts.size()];
        s.kind = SampleKind::BackgroundPatch;
        s.slot = slots[s.breast]++;
        s.target = 0;
        out.push_back(s);
    }
    return out;
}

std::vector<Sample> stage2Samples(const PreparedCohort& cohort,
                                  const std::vector<std::size_t>& breasts) {
    std::vector<Sample> out;
    for (const auto i : breasts) {
        const auto& b = cohort.breasts().at(i);
        if (b.label == io::Label::Unlabelled) {
            continue;
        }
        Sample s;
        s.breast = i;
        s.kind = SampleKind::WholeBreast;
        s.target = b.target();
        out.push_back(s);
    }
    return out;
}

std::uint64_t itemSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    auto mix = [](std::uint64_t z) {
        z += 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    return mix(mix(mix(mix(seed) ^ a) ^ b) ^ c);
}

std::vector<Sample> epochOrder(const std::vector<Sample>& samples, bool classBalanced,
                               std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Sample> order = samples;
    if (classBalanced) {
        std::array<std::vector<std::size_t>, 2> byClass;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            byClass[samples[i].target == 1 ? 1 : 0].push_back(i);
        }
        if (!byClass[0].empty() && !byClass[1].empty()) {
            const std::size_t first = rng() % 2;
            for (std::size_t k = 0; k < samples.size(); ++k) {
                const auto& pool = byClass[(first + k) % 2];
                order[k] = samples[pool[rng() % pool.size()]];
            }
            return order;
        }
    }
    for (std::size_t i = order.size(); i > 1; --i) {
        std::swap(order[i - 1], order[rng() % i]);
    }
    return order;
}

std::vector<std::size_t> weightedOrder(const std::vector<double>& weights, double share,
                                       std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto n = weights.size();
    std::vector<double> cumulative(n);
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        total += std::isfinite(weights[i]) && weights[i] > 0.0 ? weights[i] : 0.0;
        cumulative[i] = total;
    }
    const auto uniform = [&rng] {
        return static_cast<double>(rng() >> 11) * 0x1.0p-53;  // [0, 1)
    };
    std::vector<std::size_t> order(count);
    for (auto& o : order) {
        if (n == 0) {
            break;
        }
        if (total > 0.0 && uniform() < share) {
            const auto at =
                std::upper_bound(cumulative.begin(), cumulative.end(), uniform() * total);
            o = std::min<std::size_t>(n - 1, static_cast<std::size_t>(at - cumulative.begin()));
        } else {
            o = static_cast<std::size_t>(rng() % n);
        }
    }
    return order;
}

AugmentationDraw wholeBreastDraw(const ItemOptions& options, std::uint64_t seed) {
    if (!options.training || !options.augmentation.enabled) {
        return {};
    }
    std::mt19937_64 rng(seed);
    return drawAugmentation(options.augmentation, rng);
}

torch::Tensor cellTargets(const std::vector<BreastLesion>& lesions, const Triple& size,
                          const Triple& cell, const AugmentationDraw& draw) {
    const Triple cells{size[0] / cell[0], size[1] / cell[1], size[2] / cell[2]};
    auto targets = torch::zeros({cells[0] * cells[1] * cells[2]}, torch::kInt64);
    auto t = targets.accessor<std::int64_t, 1>();
    for (const auto& lesion : lesions) {
        if (lesion.label != io::Label::Malignant) {
            continue;
        }
        const auto moved =
            augmentedPoint(draw, size[0], size[1], {lesion.index[0], lesion.index[1]});
        const std::array<double, 3> p{moved[0], moved[1], lesion.index[2]};
        Triple at{};
        bool inside = true;
        for (int a = 0; a < 3; ++a) {
            // The voxel holding the point, rounded as insidePatch rounds it.
            const auto voxel = static_cast<std::int64_t>(std::llround(p[a]));
            at[a] = voxel >= 0 ? voxel / cell[a] : -1;
            inside = inside && at[a] >= 0 && at[a] < cells[a];
        }
        if (inside) {
            t[(at[0] * cells[1] + at[1]) * cells[2] + at[2]] = 1;
        }
    }
    return targets;
}

std::pair<torch::Tensor, int> makeItem(const PreparedCohort& cohort, const Sample& sample,
                                       const ItemOptions& options, std::uint64_t seed) {
    const auto& b = cohort.breasts().at(sample.breast);
    const auto volume = cohort.load(sample.breast);
    const Triple size{b.shape[1], b.shape[2], b.shape[3]};
    std::mt19937_64 rng(seed);
    const bool augmenting = options.training && options.augmentation.enabled;
    if (sample.kind == SampleKind::WholeBreast) {
        if (!augmenting) {
            return {volume, sample.target};
        }
        return {augment(volume, wholeBreastDraw(options, seed)), sample.target};
    }
    Triple origin{};
    if (sample.kind == SampleKind::WindowPatch) {
        // The window as the network scored it: no offset; labelled below with the breast's
        // class (multiple-instance learning: a malignant breast's most malignant window stands
        // for the breast).
        origin = sample.origin;
    } else if (sample.kind == SampleKind::LesionPatch) {
        origin = lesionPatchOrigin(b.lesions.at(static_cast<std::size_t>(sample.lesion)).index,
                                   options.patchSize, size, options.training ? &rng : nullptr,
                                   options.patchJitter, options.patchInside);
    } else {
        // Evaluation background patches are fixed per (breast, slot).
        std::mt19937_64 fixed(
            itemSeed(0x5eed, sample.breast, static_cast<std::uint64_t>(sample.slot)));
        origin =
            (options.training ? enhancingBackgroundOrigin(volume, b.lesions, options.patchSize, rng,
                                                          options.backgroundCandidates)
                              : backgroundPatchOrigin(b.lesions, options.patchSize, size, fixed))
                .value_or(Triple{0, 0, 0});
    }
    const int label = sample.kind == SampleKind::WindowPatch
                          ? sample.target
                          : patchLabel(b.lesions, origin, options.patchSize);
    if (!augmenting) {
        return {extractPatch(volume, origin, options.patchSize), label};
    }
    const auto draw = drawAugmentation(options.augmentation, rng);
    return {augmentedPatch(volume, origin, options.patchSize, draw), label};
}

}  // namespace bmsc::ml
