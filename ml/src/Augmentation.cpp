#include "breastmsc/ml/Augmentation.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

namespace bmsc::ml {
namespace {

// Uniform in [lo, hi] from 53 random bits: the same on every platform (std's distributions
// are implementation-defined).
double uniform(std::mt19937_64& rng, double lo, double hi) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * u;
}

}  // namespace

AugmentationDraw drawAugmentation(const AugmentationOptions& options, std::mt19937_64& rng) {
    AugmentationDraw d;
    if (!options.enabled) {
        return d;
    }
    d.flipX = options.mirrorX && (rng() & 1u) != 0;
    d.flipY = options.mirrorY && (rng() & 1u) != 0;
    const double maxAngle = options.maxRotationDegrees * M_PI / 180.0;
    d.angleRadians = uniform(rng, -maxAngle, maxAngle);
    d.scale = uniform(rng, options.minScale, options.maxScale);
    return d;
}

torch::Tensor augment(const torch::Tensor& input, const AugmentationDraw& draw) {
    TORCH_CHECK(input.dim() == 4 && input.scalar_type() == torch::kFloat32,
                "augment expects a float (C, X, Y, Z) tensor");
    const auto src = input.contiguous();
    const std::int64_t C = src.size(0), X = src.size(1), Y = src.size(2), Z = src.size(3);
    auto out = torch::zeros_like(src);
    const float* in = src.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const double cx = (static_cast<double>(X) - 1.0) / 2.0;
    const double cy = (static_cast<double>(Y) - 1.0) / 2.0;
    // Output → input: inverse rotation and scale about the centre.
    const double c = std::cos(draw.angleRadians) / draw.scale;
    const double s = std::sin(draw.angleRadians) / draw.scale;
    const std::int64_t planeStride = X * Y * Z;

    at::parallel_for(0, X, 8, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t x = begin; x < end; ++x) {
            const std::int64_t ox = draw.flipX ? X - 1 - x : x;
            for (std::int64_t y = 0; y < Y; ++y) {
                const std::int64_t oy = draw.flipY ? Y - 1 - y : y;
                const double dx = static_cast<double>(x) - cx;
                const double dy = static_cast<double>(y) - cy;
                const double sx = c * dx + s * dy + cx;
                const double sy = -s * dx + c * dy + cy;
                const auto x0 = static_cast<std::int64_t>(std::floor(sx));
                const auto y0 = static_cast<std::int64_t>(std::floor(sy));
                const double fx = sx - static_cast<double>(x0);
                const double fy = sy - static_cast<double>(y0);
                const std::array<std::int64_t, 4> xs{x0, x0 + 1, x0, x0 + 1};
                const std::array<std::int64_t, 4> ys{y0, y0, y0 + 1, y0 + 1};
                const std::array<float, 4> ws{
                    static_cast<float>((1 - fx) * (1 - fy)), static_cast<float>(fx * (1 - fy)),
                    static_cast<float>((1 - fx) * fy), static_cast<float>(fx * fy)};
                float* o = dst + (ox * Y + oy) * Z;
                for (int n = 0; n < 4; ++n) {
                    // Zero border: corners outside the volume contribute nothing.
                    if (xs[n] < 0 || ys[n] < 0 || xs[n] >= X || ys[n] >= Y || ws[n] == 0.0f) {
                        continue;
                    }
                    const float* p = in + (xs[n] * Y + ys[n]) * Z;
                    const float w = ws[n];
                    for (std::int64_t ch = 0; ch < C; ++ch) {
                        float* oc = o + ch * planeStride;
                        const float* pc = p + ch * planeStride;
                        for (std::int64_t z = 0; z < Z; ++z) {
                            oc[z] += w * pc[z];
                        }
                    }
                }
            }
        }
    });
    return out;
}

torch::Tensor extractPatch(const torch::Tensor& cxyz, const std::array<std::int64_t, 3>& origin,
                           const std::array<std::int64_t, 3>& size) {
    TORCH_CHECK(cxyz.dim() == 4, "extractPatch expects (C, X, Y, Z)");
    auto patch = torch::zeros({cxyz.size(0), size[0], size[1], size[2]}, cxyz.options());
    std::array<std::int64_t, 3> srcBegin{}, dstBegin{}, length{};
    for (int a = 0; a < 3; ++a) {
        const std::int64_t extent = cxyz.size(a + 1);
        srcBegin[a] = std::max<std::int64_t>(0, origin[a]);
        const std::int64_t srcEnd = std::min(extent, origin[a] + size[a]);
        length[a] = srcEnd - srcBegin[a];
        dstBegin[a] = srcBegin[a] - origin[a];
        if (length[a] <= 0) {
            return patch;  // entirely outside: all zero
        }
    }
    using torch::indexing::Slice;
    patch.index_put_(
        {Slice(), Slice(dstBegin[0], dstBegin[0] + length[0]),
         Slice(dstBegin[1], dstBegin[1] + length[1]), Slice(dstBegin[2], dstBegin[2] + length[2])},
        cxyz.index({Slice(), Slice(srcBegin[0], srcBegin[0] + length[0]),
                    Slice(srcBegin[1], srcBegin[1] + length[1]),
                    Slice(srcBegin[2], srcBegin[2] + length[2])}));
    return patch;
}

}  // namespace bmsc::ml
