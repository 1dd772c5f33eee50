#include "breastmsc/ml/WindowMining.h"

#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/Trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace bmsc::ml {

namespace {

/// Malignant − benign logit per cell, (cells) float32 on the CPU.
torch::Tensor cellMalignancy(BreastClassifier& model, const torch::Tensor& batch,
                             const torch::Device& device, bool bf16) {
    torch::NoGradGuard noGrad;
    torch::Tensor logits;
    {
        CpuAutocast autocast(bf16 && device.is_cpu());
        logits = model->cellLogits(model->features(batch.to(device)));
    }
    logits = logits.to(torch::kCPU, torch::kFloat32);
    return (logits.select(1, logits.size(1) - 1) - logits.select(1, 0)).flatten();
}

}  // namespace

std::vector<Triple> windowOrigins(const ResNet3dOptions& options, const Triple& size) {
    const auto& t = options.breastTile;
    const auto& s = options.breastStride;
    const auto& m = options.breastMargin;
    Triple counts{};
    for (int d = 0; d < 3; ++d) {
        counts[d] = windowCount(size[d], t[d], s[d], m[d]);
        if (counts[d] == 0) {
            return {};
        }
    }
    std::vector<Triple> origins;
    origins.reserve(static_cast<std::size_t>(counts[0] * counts[1] * counts[2]));
    for (std::int64_t x = 0; x < counts[0]; ++x) {
        for (std::int64_t y = 0; y < counts[1]; ++y) {
            for (std::int64_t z = 0; z < counts[2]; ++z) {
                origins.push_back({x * s[0] - m[0], y * s[1] - m[1], z * s[2] - m[2]});
            }
        }
    }
    return origins;
}

std::vector<Triple> mostMalignantWindows(BreastClassifier& model, const torch::Tensor& breast,
                                         int k, const torch::Device& device, bool bf16) {
    if (!model->windowed() || model->options().breastPool != BreastPool::Max) {
        throw std::invalid_argument(
            "window mining needs a windowed whole-breast model with the "
            "max pool");
    }
    const auto origins =
        windowOrigins(model->options(), {breast.size(1), breast.size(2), breast.size(3)});
    if (origins.empty()) {
        throw std::invalid_argument("the breast grid is not covered by whole windows");
    }
    const auto score = cellMalignancy(model, breast.unsqueeze(0), device, bf16).contiguous();
    TORCH_CHECK(score.numel() == static_cast<std::int64_t>(origins.size()),
                "window scores do not match the windows");
    const auto* v = score.data_ptr<float>();
    std::vector<std::size_t> order(origins.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto n = std::min(order.size(), static_cast<std::size_t>(std::max(k, 0)));
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
        [v](std::size_t a, std::size_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); });
    std::vector<Triple> best;
    for (std::size_t i = 0; i < n; ++i) {
        best.push_back(origins[order[i]]);
    }
    return best;
}

Triple mostMalignantOf(BreastClassifier& model, const torch::Tensor& breast,
                       const std::vector<Triple>& candidates, const Triple& size,
                       const torch::Device& device, bool bf16) {
    if (candidates.empty()) {
        throw std::invalid_argument("no candidate windows");
    }
    std::vector<torch::Tensor> patches;
    for (const auto& origin : candidates) {
        patches.push_back(extractPatch(breast, origin, size));
    }
    // Each patch is one window of the windowed model: one cell each.
    const auto score = cellMalignancy(model, torch::stack(patches), device, bf16);
    return candidates.at(static_cast<std::size_t>(score.argmax().item<std::int64_t>()));
}

}  // namespace bmsc::ml
