#include "breastmsc/ml/ClassActivationMap.h"

#include <torch/torch.h>

namespace bmsc::ml {

ActivationMap classActivationMap(BreastClassifier& model, const torch::Tensor& input,
                                 std::int64_t malignantClass) {
    TORCH_CHECK(input.dim() == 5 && input.size(0) == 1, "CAM input must be (1, C, X, Y, Z)");
    model->eval();
    torch::NoGradGuard noGrad;
    const auto features = model->features(input);        // (1, K, x, y, z)
    const auto logits = model->classify(features);       // (1, 2)
    const auto weight = model->fc()->weight.flatten(1);  // (2, K)
    const auto bias = model->fc()->bias;                 // (2)
    const std::int64_t other = 1 - malignantClass;
    const auto w = (weight[malignantClass] - weight[other]).view({1, -1, 1, 1, 1});
    const auto coarse =
        (features * w).sum(1, /*keepdim=*/true) + (bias[malignantClass] - bias[other]);

    namespace F = torch::nn::functional;
    const auto fine = F::interpolate(
        coarse, F::InterpolateFuncOptions()
                    .size(std::vector<std::int64_t>{input.size(2), input.size(3), input.size(4)})
                    .mode(torch::kTrilinear)
                    .align_corners(false));
    ActivationMap result;
    result.coarse = coarse[0][0].contiguous();
    result.map = fine[0][0].contiguous();
    result.malignancy = torch::softmax(logits, 1)[0][malignantClass].item<double>();
    return result;
}

}  // namespace bmsc::ml
