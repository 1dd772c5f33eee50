#pragma once

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <random>

namespace bmsc::ml {

/// Augmentation of the paper and of its authors' code (NETWORK.md, "augmentation"). Defaults
/// follow the paper: mirroring (left–right) and a rotation about z of up to ±15°; the authors'
/// code also mirrors anterior–posterior, rotates by ±0.15 rad and scales by 0.8–1.1.
struct AugmentationOptions {
    bool enabled = true;
    bool mirrorX = true;   ///< patient left ↔ right
    bool mirrorY = false;  ///< anterior ↔ posterior (the authors' code)
    double maxRotationDegrees = 15.0;
    double minScale = 1.0;
    double maxScale = 1.0;
    /// Contrast uptake scaling (not in the paper): the four post-contrast phases are moved
    /// towards or away from the pre-contrast image, post' = pre + u·(post − pre), u drawn
    /// log-uniformly in [min, max]; pre and T2 are kept. How strongly a breast takes up
    /// contrast varies from patient to patient (and with injection and timing), and a lesion in
    /// a weakly enhancing breast is still a lesion: the network is shown the same lesions
    /// enhancing more and less. 1 and 1: off (no draw is made, so other draws are unchanged).
    double minUptakeScale = 1.0;
    double maxUptakeScale = 1.0;
    /// Uptake dropout (not in the paper): the probability that an item's four post-contrast
    /// phases are replaced by the pre-contrast image (u = 0: no enhancement anywhere), so that
    /// the item's label must be read from pre and T2 alone. Trained on all six channels, the
    /// demo preset reads lesions by their enhancement and leaves lesion-scale T2 unused (its
    /// models score breasts whose T2 is blurred by 6 voxels about as well), although a benign
    /// lesion's brighter T2 tells it from a cancer of the same curve. Measured at 0.25: lower
    /// on c40d, and T2 still unused (doc/RESULTS-run-42.md). 0: off (no number is drawn).
    double dropUptake = 0.0;
};

/// One random draw, so that a transform can be reproduced and tested.
struct AugmentationDraw {
    bool flipX = false;
    bool flipY = false;
    double angleRadians = 0.0;
    double scale = 1.0;
    double uptakeScale = 1.0;  ///< u, in [minUptakeScale, maxUptakeScale]; 0 when dropped
};

AugmentationDraw drawAugmentation(const AugmentationOptions& options, std::mt19937_64& rng);

/// Applies a draw to a (C, X, Y, Z) float tensor: in-plane rotation and scaling about the
/// centre with bilinear interpolation and a zero border, then the flips, then the uptake
/// scale (channels 1–4 relative to channel 0: io::Channel's post1–post4 and pre; a tensor of
/// fewer than 5 channels is left unscaled). Returns a new contiguous tensor; work is split
/// over LibTorch's intra-op threads.
torch::Tensor augment(const torch::Tensor& cxyz, const AugmentationDraw& draw);

/// Where `augment(·, draw)` of a volume X × Y voxels in-plane moves the in-plane point (x, y):
/// the forward map of the transform that augment inverts per output voxel (z is unchanged).
/// The point may land outside the volume (rotated or scaled out of it).
std::array<double, 2> augmentedPoint(const AugmentationDraw& draw, std::int64_t X, std::int64_t Y,
                                     const std::array<double, 2>& point);

/// The (C, size[0], size[1], Z) window at in-plane `origin` of `augment(cxyz, draw)`, equal to
/// it bit for bit, computing only the window: a patch rotated within its context costs the
/// patch, not the context.
torch::Tensor augmentWindow(const torch::Tensor& cxyz, const AugmentationDraw& draw,
                            const std::array<std::int64_t, 2>& origin,
                            const std::array<std::int64_t, 2>& size);

/// A (C, sx, sy, sz) patch of a (C, X, Y, Z) tensor whose voxel (0,0,0) sits at `origin`
/// (may be negative or beyond the volume: outside voxels are zero).
torch::Tensor extractPatch(const torch::Tensor& cxyz, const std::array<std::int64_t, 3>& origin,
                           const std::array<std::int64_t, 3>& size);

/// The training patch at `origin` of `size`, augmented by `draw`: a context ½ larger in x and y
/// is rotated about the patch centre and only the patch's window is kept (augmentWindow), so
/// that its corners hold image rather than the rotation's zero border.
torch::Tensor augmentedPatch(const torch::Tensor& cxyz, const std::array<std::int64_t, 3>& origin,
                             const std::array<std::int64_t, 3>& size, const AugmentationDraw& draw);

}  // namespace bmsc::ml
