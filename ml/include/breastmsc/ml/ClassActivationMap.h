#pragma once

#include "breastmsc/ml/ResNet3d.h"

namespace bmsc::ml {

/// A class activation map and the prediction it explains, for one breast.
struct ActivationMap {
    torch::Tensor map;        ///< (X, Y, Z) on the input grid: malignant minus benign evidence
    torch::Tensor coarse;     ///< (X/32, Y/32, Z/4) at C5 resolution
    double malignancy = 0.0;  ///< softmax probability of the malignant class
};

/// Plain CAM (Zhou et al.) for the linear head after global average pooling: the C5 maps
/// weighted by (w_malignant − w_benign), plus the bias difference, so that the mean of the
/// coarse map equals the logit difference exactly (whole-breast head). Upsampled trilinearly
/// ×(32, 32, 4) to the input grid. `input` is (1, C, X, Y, Z); the model is put in eval mode.
/// A windowed model (ResNet3dOptions::breastTile) has one cell per window: `coarse` is its own
/// lattice's (the logits' max pool), and `map` is interpolated between window centres — of
/// windows `windowStride` apart when given (a denser lattice places the maximum finer than the
/// training's stride; denseCamStride), else of the model's lattice.
ActivationMap classActivationMap(BreastClassifier& model, const torch::Tensor& input,
                                 std::int64_t malignantClass = 1,
                                 const std::array<std::int64_t, 3>& windowStride = {0, 0, 0});

/// The CAM lattice of a windowed model on a breast of `breast` voxels: a quarter window
/// in-plane and one slice in z where that covers the breast with whole windows, else the
/// model's stride on that axis (the model's stride for one-pass models). Run 31's 32 × 32 × 4
/// windows every 16 × 16 × 2 place a CAM maximum on a 27 mm lattice at 1.67 mm voxels; every
/// 8 × 8 × 1 on a 13 mm one.
std::array<std::int64_t, 3> denseCamStride(const ResNet3dOptions& options,
                                           const std::array<std::int64_t, 3>& breast);

}  // namespace bmsc::ml
