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
    if (options.minUptakeScale != 1.0 || options.maxUptakeScale != 1.0) {
        d.uptakeScale = std::exp(
            uniform(rng, std::log(options.minUptakeScale), std::log(options.maxUptakeScale)));
    }
    if (options.dropUptake > 0.0 && uniform(rng, 0.0, 1.0) < options.dropUptake) {
        d.uptakeScale = 0.0;
    }
    return d;
}

torch::Tensor augment(const torch::Tensor& input, const AugmentationDraw& draw) {
    TORCH_CHECK(input.dim() == 4, "augment expects a float (C, X, Y, Z) tensor");
    return augmentWindow(input, draw, {0, 0}, {input.size(1), input.size(2)});
}

std::array<double, 2> augmentedPoint(const AugmentationDraw& draw, std::int64_t X, std::int64_t Y,
                                     const std::array<double, 2>& point) {
    // augmentWindow reads output (x, y), flipped, from source C + R·(x, y − C) / scale with
    // R = [[cos, sin], [−sin, cos]]; its inverse takes a source point to C + scale·Rᵀ(p − C),
    // then the flips.
    const double cx = (static_cast<double>(X) - 1.0) / 2.0;
    const double cy = (static_cast<double>(Y) - 1.0) / 2.0;
    const double c = std::cos(draw.angleRadians) * draw.scale;
    const double s = std::sin(draw.angleRadians) * draw.scale;
    const double dx = point[0] - cx, dy = point[1] - cy;
    double x = c * dx - s * dy + cx;
    double y = s * dx + c * dy + cy;
    if (draw.flipX) {
        x = static_cast<double>(X) - 1.0 - x;
    }
    if (draw.flipY) {
        y = static_cast<double>(Y) - 1.0 - y;
    }
    return {x, y};
}

torch::Tensor augmentWindow(const torch::Tensor& input, const AugmentationDraw& draw,
                            const std::array<std::int64_t, 2>& origin,
                            const std::array<std::int64_t, 2>& size) {
    TORCH_CHECK(input.dim() == 4 && input.scalar_type() == torch::kFloat32,
                "augment expects a float (C, X, Y, Z) tensor");
    const auto src = input.contiguous();
    const std::int64_t C = src.size(0), X = src.size(1), Y = src.size(2), Z = src.size(3);
    TORCH_CHECK(origin[0] >= 0 && origin[1] >= 0 && size[0] >= 0 && size[1] >= 0 &&
                    origin[0] + size[0] <= X && origin[1] + size[1] <= Y,
                "augmentWindow: the window must lie inside the volume");
    const std::int64_t WX = size[0], WY = size[1];
    auto out = torch::zeros({C, WX, WY, Z}, src.options());
    const float* in = src.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const double cx = (static_cast<double>(X) - 1.0) / 2.0;
    const double cy = (static_cast<double>(Y) - 1.0) / 2.0;
    // Output → input: inverse rotation and scale about the centre.
    const double c = std::cos(draw.angleRadians) / draw.scale;
    const double s = std::sin(draw.angleRadians) / draw.scale;
    const std::int64_t inPlane = X * Y * Z;
    const std::int64_t outPlane = WX * WY * Z;

    // Each output voxel (ox, oy) of the window is the flipped position of (x, y), whose source
    // point the inverse transform gives: the flips are their own inverse.
    at::parallel_for(0, WX, 8, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t wx = begin; wx < end; ++wx) {
            const std::int64_t ox = origin[0] + wx;
            const std::int64_t x = draw.flipX ? X - 1 - ox : ox;
            for (std::int64_t wy = 0; wy < WY; ++wy) {
                const std::int64_t oy = origin[1] + wy;
                const std::int64_t y = draw.flipY ? Y - 1 - oy : oy;
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
                float* o = dst + (wx * WY + wy) * Z;
                for (int n = 0; n < 4; ++n) {
                    // Zero border: corners outside the volume contribute nothing.
                    if (xs[n] < 0 || ys[n] < 0 || xs[n] >= X || ys[n] >= Y || ws[n] == 0.0f) {
                        continue;
                    }
                    const float* p = in + (xs[n] * Y + ys[n]) * Z;
                    const float w = ws[n];
                    for (std::int64_t ch = 0; ch < C; ++ch) {
                        float* oc = o + ch * outPlane;
                        const float* pc = p + ch * inPlane;
                        for (std::int64_t z = 0; z < Z; ++z) {
                            oc[z] += w * pc[z];
                        }
                    }
                }
            }
        }
    });
    if (draw.uptakeScale != 1.0 && C >= 5) {
        using torch::indexing::Slice;
        const auto pre = out.index({Slice(0, 1)});
        auto post = out.index({Slice(1, 5)});
        post.sub_(pre).mul_(draw.uptakeScale).add_(pre);
    }
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

torch::Tensor augmentedPatch(const torch::Tensor& cxyz, const std::array<std::int64_t, 3>& origin,
                             const std::array<std::int64_t, 3>& size,
                             const AugmentationDraw& draw) {
    const std::array<std::int64_t, 3> margin{size[0] / 4, size[1] / 4, 0};
    const auto context =
        extractPatch(cxyz, {origin[0] - margin[0], origin[1] - margin[1], origin[2]},
                     {size[0] + 2 * margin[0], size[1] + 2 * margin[1], size[2]});
    return augmentWindow(context, draw, {margin[0], margin[1]}, {size[0], size[1]});
}

}  // namespace bmsc::ml
