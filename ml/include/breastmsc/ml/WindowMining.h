#pragma once

#include "breastmsc/ml/ResNet3d.h"
#include "breastmsc/ml/TrainingData.h"

#include <torch/types.h>

#include <vector>

namespace bmsc::ml {

// Stage 2 as multiple-instance learning over a windowed breast (TrainingConfig::stage2Windows).
// With the max pool, a breast's logits are those of its most malignant window, so the gradient
// of its loss reaches that one window; the others cost a forward and backward pass for nothing.
// These functions find the window without gradients, so that Stage 2 trains it as a patch.

/// The first voxel of each window a windowed BreastClassifier cuts from a breast of `size`
/// voxels (ResNet3dOptions::breastTile, breastStride), in the order of its cells: x slowest,
/// z fastest; negative by the margin for the first windows of a breast with breastMargin.
/// Empty when the breast is not covered by whole windows.
std::vector<Triple> windowOrigins(const ResNet3dOptions& options, const Triple& size);

/// The `k` windows of `breast` (C, X, Y, Z) that the windowed, max-pooled whole-breast model
/// finds most malignant (largest malignant − benign logit), most malignant first (ties: the
/// earlier window). The model's modes are left as they are: call it in eval mode.
std::vector<Triple> mostMalignantWindows(BreastClassifier& model, const torch::Tensor& breast,
                                         int k, const torch::Device& device, bool bf16);

/// Of `candidates` (window origins) of `breast`, the one the model finds most malignant, each
/// window scored as a patch of `size` (what the windowed model sees of it); the first on a tie.
Triple mostMalignantOf(BreastClassifier& model, const torch::Tensor& breast,
                       const std::vector<Triple>& candidates, const Triple& size,
                       const torch::Device& device, bool bf16);

}  // namespace bmsc::ml
