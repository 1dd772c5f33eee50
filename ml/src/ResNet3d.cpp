#include "breastmsc/ml/ResNet3d.h"

#include "TorchCompat.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>

#include <ATen/Context.h>
#include <ATen/TensorIndexing.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace bmsc::ml {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv3d conv(std::int64_t in, std::int64_t out, std::int64_t kernel,
                torch::ExpandingArray<3> stride, std::int64_t padding, bool bias = false) {
    return nn::Conv3d(
        nn::Conv3dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

Norm3d norm(NormKind kind, std::int64_t channels) {
    return Norm3d(kind, channels);
}

// Kaiming uniform, fan-out, for leaky ReLU; biases (only the head has one) start at zero.
void initialise(nn::Module& module, double slope) {
    for (auto& child : module.modules(/*include_self=*/false)) {
        if (auto* c = child->as<nn::Conv3d>()) {
            nn::init::kaiming_uniform_(c->weight, slope, torch::kFanOut, torch::kLeakyReLU);
            if (c->options.bias()) {
                nn::init::zeros_(c->bias);
            }
        }
    }
}

}  // namespace

bool slabPays(const torch::Tensor& x, const torch::Tensor& weight, at::IntArrayRef stride,
              at::IntArrayRef padding) {
    if (x.dim() != 5 || weight.dim() != 5 || !x.is_cpu() || x.scalar_type() != torch::kFloat ||
        weight.scalar_type() != torch::kFloat || compat::cpuAutocastEnabled() || !at::hasMKLDNN()) {
        return false;
    }
    const std::int64_t depth = x.size(4), kz = weight.size(4);
    if (depth > 4 || kz == 1) {
        return false;
    }
    // A kernel longer than the padded input along some axis has no output: LibTorch's own
    // error, not a folded convolution (integer division alone would round −1/2 up to 0).
    for (int d = 0; d < 3; ++d) {
        if (x.size(2 + d) + 2 * padding[d] < weight.size(2 + d)) {
            return false;
        }
    }
    std::int64_t plane = 1;
    for (int d = 0; d < 2; ++d) {
        plane *= (x.size(2 + d) + 2 * padding[d] - weight.size(2 + d)) / stride[d] + 1;
    }
    // Measured (bench_ml_training --profile): the paper stem (32×32 outputs of 6·4 folded
    // channels) 12.1 → 3.8 ms, c2 of a paper patch (16×16 of 18·4) 2.5–3× faster; the demo
    // stem (16×16 of 6·4) 1.18 → 0.90 ms, which the two layout copies take back.
    return plane * x.size(1) * depth >= 16 * 16 * 48;
}

torch::Tensor convolveSlab(const torch::Tensor& x, const torch::Tensor& weight,
                           at::IntArrayRef stride, at::IntArrayRef padding) {
    const std::int64_t n = x.size(0), c = x.size(1), nx = x.size(2), ny = x.size(3);
    const std::int64_t depth = x.size(4);
    const std::int64_t out = weight.size(0), kx = weight.size(2), ky = weight.size(3);
    const std::int64_t kz = weight.size(4), sz = stride[2], pz = padding[2];
    const std::int64_t slices = (depth + 2 * pz - kz) / sz + 1;
    // Output slice o reads input slice i through tap i − sz·o + pz (none where that is out of
    // the kernel's reach): a 0/1 selection matrix (kz, slices·depth) that the weight's z taps
    // multiply — a small matrix product, and its gradient another, where gathering the taps
    // with index_select along the innermost axis took ~1 ms a call (bench_ml_training --profile).
    std::vector<float> select(static_cast<std::size_t>(kz * slices * depth), 0.0f);
    for (std::int64_t o = 0; o < slices; ++o) {
        for (std::int64_t i = 0; i < depth; ++i) {
            const std::int64_t t = i - sz * o + pz;
            if (t >= 0 && t < kz) {
                select[static_cast<std::size_t>(t * slices * depth + o * depth + i)] = 1.0f;
            }
        }
    }
    // A copy: autograd keeps the matrix for the backward pass, after `select` is gone.
    const auto selection = torch::from_blob(select.data(), {kz, slices * depth}, torch::kFloat)
                               .to(weight.options(), /*non_blocking=*/false, /*copy=*/true);
    const auto planar = torch::matmul(weight.reshape({out * c * kx * ky, kz}), selection)
                            .reshape({out, c, kx, ky, slices, depth})
                            .permute({0, 4, 1, 5, 2, 3})
                            .reshape({out * slices, c * depth, kx, ky})
                            .contiguous(at::MemoryFormat::ChannelsLast);
    // (N, C, X, Y, Z) → channels-last (N, C·Z, X, Y): one copy; the result back likewise.
    const auto input =
        x.permute({0, 2, 3, 1, 4}).reshape({n, nx, ny, c * depth}).permute({0, 3, 1, 2});
    const auto y = at::conv2d(input, planar, torch::Tensor(), {stride[0], stride[1]},
                              {padding[0], padding[1]});
    return y.permute({0, 2, 3, 1})
        .reshape({n, y.size(2), y.size(3), out, slices})
        .permute({0, 3, 1, 2, 4})
        .contiguous();
}

namespace {

// The kernel taps [first, first + taps) along each spatial axis, contiguous, as one autograd
// node. Three chained narrows made three zero tensors and three copies in their backward (12 a
// demo Stage 1 step), and a non-contiguous weight for the convolution to copy; this backward
// writes the gradient into one zero tensor of the full kernel (the cut taps' gradient is zero,
// and Adam needs it for every tap).
class KernelTaps : public torch::autograd::Function<KernelTaps> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& weight,
                                 std::vector<std::int64_t> first, std::vector<std::int64_t> taps) {
        ctx->saved_data["sizes"] = c10::IValue(weight.sizes().vec());
        ctx->saved_data["first"] = c10::IValue(first);
        ctx->saved_data["taps"] = c10::IValue(taps);
        return cut(weight, first, taps).contiguous();
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list gradients) {
        auto full = torch::zeros(ctx->saved_data["sizes"].toIntVector(), gradients[0].options());
        cut(full, ctx->saved_data["first"].toIntVector(), ctx->saved_data["taps"].toIntVector())
            .copy_(gradients[0]);
        return {full, torch::Tensor(), torch::Tensor()};
    }

private:
    static torch::Tensor cut(const torch::Tensor& w, const std::vector<std::int64_t>& first,
                             const std::vector<std::int64_t>& taps) {
        return w.narrow(2, first[0], taps[0])
            .narrow(3, first[1], taps[1])
            .narrow(4, first[2], taps[2]);
    }
};

}  // namespace

torch::Tensor convolve(torch::nn::Conv3d c, const torch::Tensor& x) {
    const auto& o = c->options;
    if (o.groups() != 1 || !compat::holdsAlternative<torch::ExpandingArray<3>>(o.padding())) {
        return c->forward(x);
    }
    if (!o.bias() && (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1 &&
        (*o.dilation())[2] == 1 &&
        slabPays(x, c->weight, *o.stride(),
                 *compat::getAlternative<torch::ExpandingArray<3>>(o.padding()))) {
        return convolveSlab(x, c->weight, *o.stride(),
                            *compat::getAlternative<torch::ExpandingArray<3>>(o.padding()));
    }
    // Kernel taps that read only zero padding for every output (the outer taps of a 3-tap axis
    // over a map one voxel long, as on C5 of a 32×32×4 demo patch; the first tap of a stride-2
    // axis over two voxels, as c5.0.conv1 there) add nothing: convolve with the taps that read
    // data, the padding reduced to match (the same outputs; the cut taps' gradient is zero).
    auto weight = c->weight;
    auto padding = *compat::getAlternative<torch::ExpandingArray<3>>(o.padding());
    std::vector<std::int64_t> first(3, 0), taps(weight.sizes().begin() + 2, weight.sizes().end());
    bool narrowed = false;
    for (int d = 0; d < 3; ++d) {
        const std::int64_t length = x.size(2 + d), k = (*o.kernel_size())[d];
        const std::int64_t s = (*o.stride())[d], p = padding[d];
        if ((*o.dilation())[d] != 1 || k == 1 || length + 2 * p < k) {
            continue;
        }
        const std::int64_t outputs = (length + 2 * p - k) / s + 1;
        // Output i reads input i·s − p + t: tap t reads data for some output iff
        // p − (outputs − 1)·s ≤ t ≤ length − 1 + p.
        const std::int64_t from = std::max<std::int64_t>(0, p - (outputs - 1) * s);
        const std::int64_t last = std::min<std::int64_t>(k - 1, length - 1 + p);
        const std::int64_t count = last - from + 1, cutPadding = p - from;
        if (count >= k || count < 1 || cutPadding < 0 ||
            (length + 2 * cutPadding - count) / s + 1 != outputs) {
            continue;
        }
        first[d] = from;
        taps[d] = count;
        padding[d] = cutPadding;
        narrowed = true;
    }
    if (narrowed) {
        weight = KernelTaps::apply(weight, first, taps);
    }
    const auto bias = o.bias() ? c->bias : torch::Tensor();
    // LibTorch 1.13 gives a batch-1 3D convolution to oneDNN only when N·C·X·Y of its input
    // exceeds 20480 (ConvParams::use_mkldnn); smaller ones (most of c3–c5 at batch 1) run the
    // native slow_conv3d at a fifth of oneDNN's speed (doc/RESULTS.md, bench_ml_inference). For
    // dense fp32 inference on the CPU, call oneDNN directly; bf16 autocast and other devices
    // keep the dispatcher (autocast knows conv3d, not mkldnn_convolution), and so does training
    // (batches of 4 mostly reach oneDNN anyway; the direct path measured no faster there).
    const bool oneDnn = at::hasMKLDNN() && x.is_cpu() && x.scalar_type() == torch::kFloat &&
                        weight.scalar_type() == torch::kFloat && !compat::cpuAutocastEnabled() &&
                        !torch::GradMode::is_enabled();
    if (oneDnn) {
        return at::mkldnn_convolution(x.contiguous(), weight.contiguous(), bias, padding,
                                      *o.stride(), *o.dilation(), 1);
    }
    if (!narrowed) {
        return c->forward(x);
    }
    return at::conv3d(x, weight, bias, *o.stride(), padding, *o.dilation(), 1);
}

namespace {

// A convolution whose weight gradient is computed as a correlation of the input with the output
// gradient, batch and channel axes swapped: dW[o, c, k] = Σ_n Σ_p dY[n, o, p] · X[n, c, s·p + k]
// is a convolution of X (channels as the batch, samples as the channels) with dY as its kernel,
// dilated by the stride. For the 7×7×7 stem on 6 channels oneDNN's own backward-weights
// primitive runs at a sixth of its forward speed (58 % of a demo Stage 2 training step); the
// correlation is an ordinary forward convolution, 1.8–3.2× faster (doc/RESULTS.md).
class StemConvolution : public torch::autograd::Function<StemConvolution> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& weight, std::vector<std::int64_t> stride,
                                 std::vector<std::int64_t> padding) {
        ctx->save_for_backward({x});
        ctx->saved_data["stride"] = c10::IValue(stride);
        ctx->saved_data["padding"] = c10::IValue(padding);
        ctx->saved_data["kernel"] = c10::IValue(weight.sizes().slice(2).vec());
        if (slabPays(x, weight, stride, padding)) {
            return convolveSlab(x, weight, stride, padding);
        }
        return at::conv3d(x, weight, torch::Tensor(), stride, padding);
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list gradients) {
        const auto x = ctx->get_saved_variables()[0];
        const auto stride = ctx->saved_data["stride"].toIntVector();
        auto padding = ctx->saved_data["padding"].toIntVector();
        auto kernel = ctx->saved_data["kernel"].toIntVector();
        const auto& dy = gradients[0];
        const std::int64_t depth = x.size(4), pz = padding[2], kz = kernel[2];
        if (stride[2] != 1 || depth > pz + 1 || depth > kz - pz) {
            return {torch::Tensor(), correlate(x, dy, stride, padding, kernel), torch::Tensor(),
                    torch::Tensor()};
        }
        // A patch only a few slices deep (Z ≤ padding + 1: 4 slices under a 7-tap z kernel):
        // output slice z reads all Z input slices through taps pz − z … pz − z + Z − 1, the
        // others meeting zero padding (3 of 7 here). Correlate once with the output slices
        // stacked as channels and no z padding — 4/7 of the work — and add each slice's Z taps
        // into its place in the kernel.
        const std::int64_t out = dy.size(1);
        const auto stacked = dy.permute({0, 4, 1, 2, 3})
                                 .reshape({dy.size(0), depth * out, dy.size(2), dy.size(3), 1});
        padding[2] = 0;
        kernel[2] = depth;
        const auto perSlice = correlate(x, stacked, stride, padding, kernel);  // (Z·O, C, ., ., Z)
        auto weightGrad =
            torch::zeros({out, x.size(1), kernel[0], kernel[1], kz}, perSlice.options());
        for (std::int64_t z = 0; z < depth; ++z) {
            weightGrad.narrow(4, pz - z, depth).add_(perSlice.narrow(0, z * out, out));
        }
        return {torch::Tensor(), weightGrad, torch::Tensor(), torch::Tensor()};
    }

private:
    /// dW of a convolution of x with `kernel`-sized weights at `stride` and `padding` whose
    /// output gradient is dy, as the correlation above: (O, C, kx, ky, kz).
    static torch::Tensor correlate(const torch::Tensor& x, const torch::Tensor& dy,
                                   const std::vector<std::int64_t>& stride,
                                   const std::vector<std::int64_t>& padding,
                                   const std::vector<std::int64_t>& kernel) {
        using torch::indexing::Slice;
        // The padded input, up to the last voxel the kernel's last tap reaches:
        // stride · (output − 1) + kernel along each axis.
        auto padded = torch::constant_pad_nd(
            x, {padding[2], padding[2], padding[1], padding[1], padding[0], padding[0]});
        padded = padded.index({Slice(), Slice(), Slice(0, stride[0] * (dy.size(2) - 1) + kernel[0]),
                               Slice(0, stride[1] * (dy.size(3) - 1) + kernel[1]),
                               Slice(0, stride[2] * (dy.size(4) - 1) + kernel[2])});
        return at::conv3d(padded.transpose(0, 1), dy.transpose(0, 1), torch::Tensor(),
                          std::vector<std::int64_t>{1, 1, 1}, std::vector<std::int64_t>{0, 0, 0},
                          stride)
            .transpose(0, 1);
    }
};

}  // namespace

torch::Tensor convolveStem(torch::nn::Conv3d c, const torch::Tensor& x) {
    const auto& o = c->options;
    const bool correlate =
        torch::GradMode::is_enabled() && c->weight.requires_grad() && !x.requires_grad() &&
        x.is_cpu() && x.scalar_type() == torch::kFloat &&
        c->weight.scalar_type() == torch::kFloat && !compat::cpuAutocastEnabled() && !o.bias() &&
        o.groups() == 1 && (*o.dilation())[0] == 1 && (*o.dilation())[1] == 1 &&
        (*o.dilation())[2] == 1 && compat::holdsAlternative<torch::ExpandingArray<3>>(o.padding());
    if (!correlate) {
        return convolve(c, x);
    }
    const auto& padding = *compat::getAlternative<torch::ExpandingArray<3>>(o.padding());
    const auto& stride = *o.stride();
    return StemConvolution::apply(x, c->weight,
                                  std::vector<std::int64_t>(stride.begin(), stride.end()),
                                  std::vector<std::int64_t>(padding.begin(), padding.end()));
}

Norm3dImpl::Norm3dImpl(NormKind kind, std::int64_t channels) {
    if (kind == NormKind::Batch) {
        batch_ = register_module("batch",
                                 nn::BatchNorm3d(nn::BatchNorm3dOptions(channels).affine(false)));
    } else {
        instance_ = register_module(
            "instance", nn::InstanceNorm3d(nn::InstanceNorm3dOptions(channels).affine(false)));
    }
}

torch::Tensor Norm3dImpl::forward(const torch::Tensor& x) {
    return batch_ ? batch_(x) : instance_(x);
}

BasicBlock3dImpl::BasicBlock3dImpl(std::int64_t in, std::int64_t out, std::int64_t stride,
                                   bool project, double slope, NormKind kind)
    : slope_(slope) {
    conv1_ = register_module("conv1", conv(in, out, 3, stride, 1));
    norm1_ = register_module("norm1", norm(kind, out));
    conv2_ = register_module("conv2", conv(out, out, 3, 1, 1));
    norm2_ = register_module("norm2", norm(kind, out));
    if (project || in != out || stride != 1) {
        projection_ = register_module("projection", conv(in, out, 1, stride, 0));
        projectionNorm_ = register_module("projection_norm", norm(kind, out));
    }
}

torch::Tensor BasicBlock3dImpl::forward(const torch::Tensor& x) {
    auto y = F::leaky_relu(norm1_(convolve(conv1_, x)),
                           F::LeakyReLUFuncOptions().negative_slope(slope_));
    y = norm2_(convolve(conv2_, y));
    const auto skip = projection_ ? projectionNorm_(convolve(projection_, x)) : x;
    return F::leaky_relu(y + skip, F::LeakyReLUFuncOptions().negative_slope(slope_));
}

std::int64_t windowCount(std::int64_t size, std::int64_t tile, std::int64_t stride,
                         std::int64_t margin) {
    const auto extent = size + 2 * margin;
    if (tile < 1 || stride < 1 || margin < 0 || extent < tile || (extent - tile) % stride != 0) {
        return 0;
    }
    return (extent - tile) / stride + 1;
}

ResNet3dBackboneImpl::ResNet3dBackboneImpl(const ResNet3dOptions& options) : options_(options) {
    if (options.input != InputKind::Phases && options.inputChannels != 6) {
        throw std::invalid_argument(
            "subtraction and kinetics input need the six channels pre, post1-4, T2");
    }
    const std::int64_t w = options.width;
    const double slope = options.leakySlope;
    stem_ = register_module(
        "stem",
        nn::Sequential(conv(options.inputChannels, w, 7, {2, 2, 1}, 3), norm(options.norm, w),
                       nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(slope))));
    auto stage = [&](std::int64_t in, std::int64_t out, std::int64_t blocks, std::int64_t stride,
                     bool poolFirst) {
        nn::Sequential s;
        if (poolFirst) {
            s->push_back(nn::MaxPool3d(nn::MaxPool3dOptions(3).stride({2, 2, 1}).padding(1)));
        }
        // The first block of every stage projects its skip path (NETWORK.md: even 18 → 18).
        s->push_back(BasicBlock3d(in, out, stride, /*project=*/true, slope, options.norm));
        for (std::int64_t b = 1; b < blocks; ++b) {
            s->push_back(BasicBlock3d(out, out, 1, false, slope, options.norm));
        }
        return s;
    };
    c2_ = register_module("c2", stage(w, w, options.blocks[0], 1, true));
    c3_ = register_module("c3", stage(w, 2 * w, options.blocks[1], 1, true));
    c4_ = register_module("c4", stage(2 * w, 4 * w, options.blocks[2], 2, false));
    c5_ = register_module("c5", stage(4 * w, 8 * w, options.blocks[3], 2, false));
    initialise(*this, slope);
    if (options.inputScaling == InputScaling::Channel) {
        inputScale_ =
            register_buffer("input_scale", torch::ones({1, options.inputChannels, 1, 1, 1}));
    }
}

torch::Tensor ResNet3dBackboneImpl::stem(const torch::Tensor& x) {
    auto y = convolveStem(nn::Conv3d(stem_->ptr<nn::Conv3dImpl>(0)), x);
    y = stem_->at<Norm3dImpl>(1).forward(y);
    return stem_->at<nn::LeakyReLUImpl>(2).forward(y);
}

torch::Tensor ResNet3dBackboneImpl::transformInput(InputKind kind, const torch::Tensor& input) {
    if (kind == InputKind::Phases) {
        return input;
    }
    // Channels pre, post1–post4, T2: the backbone checked six.
    using torch::indexing::Slice;
    const auto pre = input.index({Slice(), Slice(0, 1)});
    const auto t2 = input.index({Slice(), Slice(5, torch::indexing::None)});
    if (kind == InputKind::Subtractions) {
        return torch::cat({pre, input.index({Slice(), Slice(1, 5)}) - pre, t2}, 1);
    }
    // Kinetics: pre, post1 − pre, post2 − pre, post4 − pre, the washout relative to the uptake,
    // T2. The relative washout (post4 − post1)·e/(|e| + ε)², e = post1 − pre, is
    // (post4 − post1)/e where e ≫ ε and fades to zero where nothing enhances.
    const auto uptake = input.index({Slice(), Slice(1, 2)}) - pre;
    const auto late = input.index({Slice(), Slice(4, 5)});
    const auto guard = (uptake.abs() + kKineticsEpsilon).square();
    return torch::cat({pre, uptake, input.index({Slice(), Slice(2, 3)}) - pre, late - pre,
                       (late - input.index({Slice(), Slice(1, 2)})) * uptake / guard, t2},
                      1);
}

void ResNet3dBackboneImpl::setInputScale(const torch::Tensor& perChannel) {
    if (!inputScale_.defined()) {
        throw std::logic_error("setInputScale: the network was built without input_scaling");
    }
    const auto s = perChannel.to(torch::kFloat).reshape({-1});
    if (s.numel() != options_.inputChannels || !torch::isfinite(s).all().item<bool>() ||
        !(s > 0).all().item<bool>()) {
        throw std::invalid_argument("input scale: one finite positive factor per input channel");
    }
    torch::NoGradGuard noGrad;
    inputScale_.copy_(s.reshape({1, -1, 1, 1, 1}));
}

torch::Tensor ResNet3dBackboneImpl::forward(const torch::Tensor& input) {
    torch::Tensor unused;
    return forward(input, unused);
}

torch::Tensor ResNet3dBackboneImpl::forward(const torch::Tensor& input, torch::Tensor& peak) {
    auto x = transformInput(options_.input, input);
    if (inputScale_.defined()) {
        x = x * inputScale_;
    }
    const auto s = stem(x);
    const auto c2 = c2_->forward(s);
    peak = options_.peakFeatures == PeakFeatures::Stem ? s
           : options_.peakFeatures == PeakFeatures::C2 ? c2
                                                       : torch::Tensor();
    return c5_->forward(c4_->forward(c3_->forward(c2)));
}

torch::Tensor ResNet3dBackboneImpl::curveAtPeak(const torch::Tensor& input,
                                                const std::array<std::int64_t, 3>& region) {
    const auto n = input.size(0);
    std::array<std::int64_t, 3> cells{};
    for (int d = 0; d < 3; ++d) {
        const auto r = region[static_cast<std::size_t>(d)];
        if (r <= 0 || input.size(2 + d) % r != 0) {
            throw std::invalid_argument("curveAtPeak: the regions do not divide the input");
        }
        cells[static_cast<std::size_t>(d)] = input.size(2 + d) / r;
    }
    // post1 − pre as (N, nx, ny, nz, rx·ry·rz): each region's voxels along the last axis.
    const auto uptake = input.select(1, 1) - input.select(1, 0);
    const auto local =
        uptake.reshape({n, cells[0], region[0], cells[1], region[1], cells[2], region[2]})
            .permute({0, 1, 3, 5, 2, 4, 6})
            .reshape({n, cells[0], cells[1], cells[2], -1})
            .argmax(-1);
    // The peak's index in the whole input (X, Y, Z) from its index in the region (rx, ry, rz).
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(input.device());
    const auto origin = [&](int d) {
        std::vector<std::int64_t> shape{1, 1, 1, 1};
        shape[static_cast<std::size_t>(1 + d)] = cells[static_cast<std::size_t>(d)];
        return (torch::arange(cells[static_cast<std::size_t>(d)], opts) *
                region[static_cast<std::size_t>(d)])
            .reshape(shape);
    };
    const auto gx = origin(0) + local.div(region[1] * region[2], "floor");
    const auto gy = origin(1) + local.div(region[2], "floor").remainder(region[1]);
    const auto gz = origin(2) + local.remainder(region[2]);
    const auto at = ((gx * input.size(3) + gy) * input.size(4) + gz).reshape({n, 1, -1});
    // The raw curve there, then the backbone's transform and scale: both act voxel by voxel,
    // so on the N · cells gathered voxels they give what they give on the whole input.
    auto curve = input.flatten(2)
                     .gather(2, at.expand({-1, input.size(1), -1}))
                     .reshape({n, input.size(1), cells[0], cells[1], cells[2]});
    curve = transformInput(options_.input, curve);
    if (inputScale_.defined()) {
        curve = curve * inputScale_;
    }
    return curve;
}

BreastClassifierImpl::BreastClassifierImpl(const ResNet3dOptions& options, HeadKind head)
    : options_(options), head_(head) {
    backbone_ = register_module("backbone", ResNet3dBackbone(options));
    pool_ =
        register_module("pool", nn::AvgPool3d(nn::AvgPool3dOptions({2, 2, 1}).stride({2, 2, 1})));
    resetHead(head);
}

namespace {

/// C5 and the peak map's maximum over each C5 position's input region (32 × 32 × 4 voxels:
/// 16 × 16 × 4 stem positions, 8 × 8 × 4 of C2), side by side.
torch::Tensor withPeak(const torch::Tensor& c5, const torch::Tensor& peak, PeakFeatures level) {
    if (!peak.defined()) {
        return c5;
    }
    const std::vector<std::int64_t> region = level == PeakFeatures::Stem
                                                 ? std::vector<std::int64_t>{16, 16, 4}
                                                 : std::vector<std::int64_t>{8, 8, 4};
    for (int d = 0; d < 3; ++d) {
        if (c5.size(2 + d) * region[static_cast<std::size_t>(d)] != peak.size(2 + d)) {
            throw std::invalid_argument(
                "peak features need an input of whole C5 positions (multiples of 32 x 32 x 4 "
                "voxels)");
        }
    }
    return torch::cat({c5, F::max_pool3d(peak, F::MaxPool3dFuncOptions(region).stride(region))}, 1);
}

}  // namespace

void BreastClassifierImpl::resetHead(HeadKind kind) {
    head_ = kind;
    const std::int64_t inputs =
        backbone_->outputChannels() + backbone_->peakChannels() + backbone_->curveChannels();
    auto fresh = conv(inputs, options_.classes, 1, 1, 0, /*bias=*/true);
    if (options_.headInit == HeadInit::KaimingFanOut) {
        nn::init::kaiming_uniform_(fresh->weight, options_.leakySlope, torch::kFanOut,
                                   torch::kLeakyReLU);
    } else {
        // PyTorch's default for a linear layer: U(±1/√fan_in).
        const double bound = 1.0 / std::sqrt(static_cast<double>(inputs));
        nn::init::uniform_(fresh->weight, -bound, bound);
    }
    nn::init::zeros_(fresh->bias);
    fc_ = fc_ ? replace_module("fc", fresh) : register_module("fc", fresh);
}

torch::Tensor BreastClassifierImpl::features(const torch::Tensor& x) {
    return features(x, options_.breastStride);
}

torch::Tensor BreastClassifierImpl::features(const torch::Tensor& x,
                                             const std::array<std::int64_t, 3>& windowStride) {
    torch::Tensor peak;
    if (!windowed()) {
        const auto c5 = backbone_->forward(x, peak);
        const auto cells = withPeak(c5, peak, options_.peakFeatures);
        if (!options_.peakCurve) {
            return cells;
        }
        // Each C5 position's input region: the backbone's strides (32, 32, 4).
        return torch::cat({cells, backbone_->curveAtPeak(x, {32, 32, 4})}, 1);
    }
    // (N, C, X, Y, Z) → windows (N·nx·ny·nz, C, tx, ty, tz) → the backbone → one cell each.
    const auto& t = options_.breastTile;
    const auto& s = windowStride;
    const auto& m = options_.breastMargin;
    for (int d = 0; d < 3; ++d) {
        if (windowCount(x.size(2 + d), t[d], s[d], m[d]) == 0) {
            throw std::invalid_argument("the breast grid is not covered by whole windows");
        }
    }
    // The margin is zero input, as the border of a Stage 1 patch cut across the breast's edge.
    const auto padded = m == std::array<std::int64_t, 3>{0, 0, 0}
                            ? x
                            : torch::constant_pad_nd(x, {m[2], m[2], m[1], m[1], m[0], m[0]}, 0);
    const auto w = padded.unfold(2, t[0], s[0]).unfold(3, t[1], s[1]).unfold(4, t[2], s[2]);
    const auto n = w.size(0), c = w.size(1), nx = w.size(2), ny = w.size(3), nz = w.size(4);
    const auto windows =
        w.permute({0, 2, 3, 4, 1, 5, 6, 7}).reshape({n * nx * ny * nz, c, t[0], t[1], t[2]});
    const auto c5 = backbone_->forward(windows, peak);
    auto cells = F::adaptive_avg_pool3d(c5, F::AdaptiveAvgPool3dFuncOptions(1));
    if (peak.defined()) {
        cells = torch::cat(
            {cells, F::adaptive_max_pool3d(peak, F::AdaptiveMaxPool3dFuncOptions(1))}, 1);
    }
    if (options_.peakCurve) {
        cells = torch::cat({cells, backbone_->curveAtPeak(windows, t)}, 1);
    }
    return cells.reshape({n, nx, ny, nz, cells.size(1)}).permute({0, 4, 1, 2, 3});
}

torch::Tensor BreastClassifierImpl::classify(const torch::Tensor& features) {
    // Patch head: the average over the final map — (2,2,1) for a 64×64×4 patch, as the
    // (2,2,1) pool of NETWORK.md; a 32×32×4 patch (demo) ends as 1×1×1 and is taken as is.
    // Whole breasts: the (2,2,1) pool, then the adaptive average pool; windowed breasts: the
    // mean over the windows' cells.
    torch::Tensor y;
    if (head_ == HeadKind::WholeBreast && options_.breastPool == BreastPool::Max) {
        const auto logits = cellLogits(features);
        const auto malignancy = logits.select(1, logits.size(1) - 1) - logits.select(1, 0);
        const auto k = std::min(options_.breastTopCells, logits.size(2));
        if (k <= 1) {
            const auto best = malignancy.argmax(1).view({-1, 1, 1}).expand({-1, logits.size(1), 1});
            return logits.gather(2, best).squeeze(2);
        }
        const auto top =
            std::get<1>(malignancy.topk(k, 1)).unsqueeze(1).expand({-1, logits.size(1), -1});
        return logits.gather(2, top).mean(2);
    }
    if (head_ == HeadKind::WholeBreast && !windowed()) {
        y = F::adaptive_avg_pool3d(pool_(features), F::AdaptiveAvgPool3dFuncOptions(1));
    } else {
        y = F::adaptive_avg_pool3d(features, F::AdaptiveAvgPool3dFuncOptions(1));
    }
    return fc_(y).flatten(1);
}

torch::Tensor BreastClassifierImpl::cellLogits(const torch::Tensor& features) {
    TORCH_CHECK(head_ == HeadKind::WholeBreast && options_.breastPool == BreastPool::Max,
                "cellLogits needs a whole-breast head with the max pool");
    // One cell per patch-sized region: a window, or the C5 positions of a patch-sized region
    // of a one-pass breast averaged (the (2,2,1) pool for 64×64×4; one position for 32×32×4
    // with cellPool {1, 1, 1}).
    const auto& k = options_.cellPool;
    const std::array<std::int64_t, 3> one{1, 1, 1}, pair{2, 2, 1};
    torch::Tensor cells = features;
    if (!windowed() && k == pair) {
        cells = pool_(features);
    } else if (!windowed() && k != one) {
        cells = F::avg_pool3d(features, F::AvgPool3dFuncOptions(k).stride(k));
    }
    return fc_(cells).flatten(2);
}

std::array<std::int64_t, 3> BreastClassifierImpl::cellSize() const {
    const auto& k = options_.cellPool;
    return {32 * k[0], 32 * k[1], 4 * k[2]};
}

torch::Tensor BreastClassifierImpl::forward(const torch::Tensor& x) {
    return classify(features(x));
}

std::int64_t parameterCount(const torch::nn::Module& module) {
    std::int64_t n = 0;
    for (const auto& p : module.parameters()) {
        if (p.requires_grad()) {
            n += p.numel();
        }
    }
    return n;
}

}  // namespace bmsc::ml
