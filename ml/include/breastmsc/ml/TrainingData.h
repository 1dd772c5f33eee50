#pragma once

#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/PreparedCohort.h"

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace bmsc::ml {

using Triple = std::array<std::int64_t, 3>;

// --- Patch sampling rules (NETWORK.md, "Stage 1 patches") -----------------------------------

/// Origin of a patch around a lesion centre (continuous voxel index): the patch centre is the
/// rounded lesion centre plus, when `rng` is given, a uniform integer offset of up to
/// ±`jitter` of the patch size per axis (¼ in the authors' code), clipped so that the centre
/// stays inside the volume. Parts of the patch beyond the volume are zero-padded by
/// extractPatch; with `inside` the patch is instead moved into the volume (the lesion stays in
/// it), so that a lesion at the breast's edge lies where the windows that score a whole breast
/// see it, off their centre, and no lesion patch has a zero border that others lack.
Triple lesionPatchOrigin(const std::array<double, 3>& lesion, const Triple& patch,
                         const Triple& volume, std::mt19937_64* rng, double jitter = 0.25,
                         bool inside = false);
/// Whether a (rounded) point lies inside the patch [origin, origin + patch).
bool insidePatch(const std::array<double, 3>& point, const Triple& origin, const Triple& patch);
/// 1 if any malignant lesion centre lies inside the patch, else 0.
int patchLabel(const std::vector<BreastLesion>& lesions, const Triple& origin, const Triple& patch);
/// A patch inside the volume that contains no lesion centre (nullopt after `tries` draws).
std::optional<Triple> backgroundPatchOrigin(const std::vector<BreastLesion>& lesions,
                                            const Triple& patch, const Triple& volume,
                                            std::mt19937_64& rng, int tries = 50);

/// A hard negative: among `candidates` lesion-free origins drawn as `backgroundPatchOrigin`
/// does, the one whose patch holds the strongest early enhancement (the largest post1 − pre of
/// `volume`, channels pre, post1–4, T2): the bright vessels and parenchyma a detector must learn
/// to pass over. One candidate is `backgroundPatchOrigin` itself.
std::optional<Triple> enhancingBackgroundOrigin(const torch::Tensor& volume,
                                                const std::vector<BreastLesion>& lesions,
                                                const Triple& patch, std::mt19937_64& rng,
                                                int candidates);

// --- Datasets --------------------------------------------------------------------------------

/// WindowPatch: Stage 2's multiple-instance training (TrainingConfig::stage2Windows), the
/// window of a whole breast that the model finds most malignant, labelled with the breast's
/// class and augmented as a training patch.
enum class SampleKind { LesionPatch, BackgroundPatch, WholeBreast, WindowPatch };

/// One training example: which breast, and which patch of it.
struct Sample {
    std::size_t breast = 0;
    SampleKind kind = SampleKind::WholeBreast;
    int lesion = -1;  ///< LesionPatch: index into the breast's lesions
    int slot = 0;     ///< BackgroundPatch: which of the breast's background patches
    int target = 0;   ///< nominal class (for balancing); patches are relabelled by patchLabel
                      ///< (a WindowPatch keeps its breast's class)
    Triple origin{};  ///< WindowPatch: the window's first voxel in the breast
};

/// Stage 1: one patch per lesion of the given breasts, plus round(background × lesions)
/// lesion-free patches spread over the breasts. Breasts without lesions contribute no lesion
/// patch (a note per patient is added).
std::vector<Sample> stage1Samples(const PreparedCohort& cohort,
                                  const std::vector<std::size_t>& breasts, double background,
                                  std::vector<std::string>* notes = nullptr);
/// Stage 2: every labelled breast (unlabelled ones skipped).
std::vector<Sample> stage2Samples(const PreparedCohort& cohort,
                                  const std::vector<std::size_t>& breasts);

/// The order of one epoch: a shuffle, or with `classBalanced` as many draws (with
/// replacement) alternating between the classes present. Deterministic for the seed.
std::vector<Sample> epochOrder(const std::vector<Sample>& samples, bool classBalanced,
                               std::uint64_t seed);

/// The order of one epoch as indices into the samples, `count` draws with replacement: with
/// probability `share` in proportion to `weights` (the samples' last training losses: hard
/// examples come more often), else uniformly. Deterministic for the seed.
std::vector<std::size_t> weightedOrder(const std::vector<double>& weights, double share,
                                       std::size_t count, std::uint64_t seed);

/// A seed for one item, independent of thread scheduling (SplitMix64 of the parts).
std::uint64_t itemSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                       std::uint64_t c = 0);

/// How samples become tensors.
struct ItemOptions {
    Triple patchSize{64, 64, 4};
    bool training = false;      ///< random patch offsets and augmentation
    double patchJitter = 0.25;  ///< largest lesion offset from the patch centre (patch fraction)
    bool patchInside = false;   ///< lesion patches moved into the breast (lesionPatchOrigin)
    /// Training background patches: the most enhancing of this many lesion-free draws.
    int backgroundCandidates = 1;
    AugmentationOptions augmentation;
};

/// The augmentation a whole-breast training item draws from `seed` (makeItem's own draw; the
/// identity when not training or with augmentation off).
AugmentationDraw wholeBreastDraw(const ItemOptions& options, std::uint64_t seed);

/// Lesion targets for the cells of a whole-breast item (TrainingConfig "cell_loss"): a breast
/// of `size` voxels split into cells of `cell` voxels from the origin (the network's cell
/// lattice; a partial last cell is dropped, as the pooling drops it), 1 where the centre of a
/// malignant lesion, moved by the item's augmentation `draw`, lies in the cell, else 0 — the
/// Stage 1 patch rule applied to the cells. (cells) int64, x slowest, z fastest, as
/// BreastClassifier::cellLogits orders them.
torch::Tensor cellTargets(const std::vector<BreastLesion>& lesions, const Triple& size,
                          const Triple& cell, const AugmentationDraw& draw);

/// A (C, ...) input and its class for a sample. Training items draw their offset and
/// augmentation from `seed`; evaluation items are deterministic (lesion-centred patches).
std::pair<torch::Tensor, int> makeItem(const PreparedCohort& cohort, const Sample& sample,
                                       const ItemOptions& options, std::uint64_t seed);

}  // namespace bmsc::ml
