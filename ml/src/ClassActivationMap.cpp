#include "breastmsc/ml/ClassActivationMap.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>

namespace bmsc::ml {
namespace {

namespace F = torch::nn::functional;

// The coarse map of a windowed model (one cell per window, centres at tile/2 − margin +
// i · stride) on the breast grid: linear between window centres, the nearest centre's value
// beyond them.
torch::Tensor windowsToGrid(const torch::Tensor& coarse, const std::array<std::int64_t, 3>& tile,
                            const std::array<std::int64_t, 3>& stride,
                            const std::array<std::int64_t, 3>& margin,
                            const std::array<std::int64_t, 3>& size) {
    std::vector<torch::Tensor> axes;  // normalised lattice coordinate per voxel, per axis
    for (int d = 0; d < 3; ++d) {
        const auto cells = coarse.size(2 + d);
        const auto voxel = torch::arange(size[static_cast<std::size_t>(d)], torch::kFloat) + 0.5;
        const auto firstCentre =
            0.5 * static_cast<double>(tile[d]) - static_cast<double>(margin[d]);
        const auto u = (voxel - firstCentre) / static_cast<double>(stride[d]);
        axes.push_back(cells > 1 ? (u * (2.0 / static_cast<double>(cells - 1)) - 1.0).clamp(-1, 1)
                                 : torch::zeros_like(u));
    }
    const auto mesh = torch::meshgrid({axes[0], axes[1], axes[2]}, "ij");
    // grid_sample's last axis is (W, H, D) = (z, y, x).
    const auto grid = torch::stack({mesh[2], mesh[1], mesh[0]}, -1).unsqueeze(0);
    return F::grid_sample(coarse.to(torch::kFloat), grid.to(coarse.device()),
                          F::GridSampleFuncOptions()
                              .mode(torch::kBilinear)
                              .padding_mode(torch::kBorder)
                              .align_corners(true));
}

}  // namespace

std::array<std::int64_t, 3> denseCamStride(const ResNet3dOptions& options,
                                           const std::array<std::int64_t, 3>& breast) {
    auto stride = options.breastStride;
    if (options.breastTile[0] == 0) {
        return stride;
    }
    const auto& t = options.breastTile;
    const auto& m = options.breastMargin;
    // A quarter window in-plane, a slice in z, where that lattice covers the breast.
    const std::array<std::int64_t, 3> dense{std::max<std::int64_t>(1, t[0] / 4),
                                            std::max<std::int64_t>(1, t[1] / 4), 1};
    for (std::size_t d = 0; d < 3; ++d) {
        if (dense[d] < stride[d] && windowCount(breast[d], t[d], dense[d], m[d]) > 0) {
            stride[d] = dense[d];
        }
    }
    return stride;
}

ActivationMap classActivationMap(BreastClassifier& model, const torch::Tensor& input,
                                 std::int64_t malignantClass,
                                 const std::array<std::int64_t, 3>& windowStride) {
    TORCH_CHECK(input.dim() == 5 && input.size(0) == 1, "CAM input must be (1, C, X, Y, Z)");
    model->eval();
    torch::NoGradGuard noGrad;
    const auto features = model->features(input);        // (1, K, x, y, z)
    const auto logits = model->classify(features);       // (1, 2)
    const auto weight = model->fc()->weight.flatten(1);  // (2, K)
    const auto bias = model->fc()->bias;                 // (2)
    const std::int64_t other = 1 - malignantClass;
    const auto w = (weight[malignantClass] - weight[other]).view({1, -1, 1, 1, 1});
    const auto camOf = [&](const torch::Tensor& f) {
        return (f * w).sum(1, /*keepdim=*/true) + (bias[malignantClass] - bias[other]);
    };
    const auto coarse = camOf(features);

    const std::array<std::int64_t, 3> size{input.size(2), input.size(3), input.size(4)};
    torch::Tensor fine;
    if (model->windowed()) {
        const auto& o = model->options();
        const bool dense =
            windowStride != std::array<std::int64_t, 3>{0, 0, 0} && windowStride != o.breastStride;
        const auto stride = dense ? windowStride : o.breastStride;
        const auto lattice = dense ? camOf(model->features(input, stride)) : coarse;
        fine = windowsToGrid(lattice, o.breastTile, stride, o.breastMargin, size);
    } else {
        fine = F::interpolate(coarse, F::InterpolateFuncOptions()
                                          .size(std::vector<std::int64_t>(size.begin(), size.end()))
                                          .mode(torch::kTrilinear)
                                          .align_corners(false));
    }
    ActivationMap result;
    result.coarse = coarse[0][0].contiguous();
    result.map = fine[0][0].contiguous();
    result.malignancy = torch::softmax(logits, 1)[0][malignantClass].item<double>();
    return result;
}

}  // namespace bmsc::ml
