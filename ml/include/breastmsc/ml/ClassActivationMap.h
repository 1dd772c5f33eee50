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
ActivationMap classActivationMap(BreastClassifier& model, const torch::Tensor& input,
                                 std::int64_t malignantClass = 1);

}  // namespace bmsc::ml
