#include "NetworkProfile.h"

#include "breastmsc/ml/Trainer.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>

namespace bmsc::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Dims = std::array<std::int64_t, 3>;

double elapsed(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

std::int64_t outSize(std::int64_t n, std::int64_t k, std::int64_t s, std::int64_t p) {
    return (n + 2 * p - k) / s + 1;
}

Dims outDims(const Dims& d, std::int64_t k, const Dims& s, std::int64_t p) {
    return {outSize(d[0], k, s[0], p), outSize(d[1], k, s[1], p), outSize(d[2], k, s[2], p)};
}

double voxels(const Dims& d) {
    return static_cast<double>(d[0]) * static_cast<double>(d[1]) * static_cast<double>(d[2]);
}

}  // namespace

double analyticConvFlops(const ml::ResNet3dOptions& net, const Dims& xyz) {
    const std::int64_t w = net.width;
    double flops = 0;
    auto conv = [&](std::int64_t cin, std::int64_t cout, std::int64_t k, const Dims& out) {
        flops += 2.0 * static_cast<double>(cin * cout * k * k * k) * voxels(out);
    };
    const Dims inPlane{2, 2, 1}, all{2, 2, 2}, one{1, 1, 1};
    // Stem: 7×7×7, stride (2,2,1), padding 3.
    Dims d = outDims(xyz, 7, inPlane, 3);
    conv(net.inputChannels, w, 7, d);
    // A stage: [max-pool 3, stride (2,2,1), padding 1], a first block (3×3×3 convs, a 1×1×1
    // projection with the block's stride), then blocks of two 3×3×3 convs.
    auto stage = [&](std::int64_t in, std::int64_t out, std::int64_t blocks, const Dims& stride,
                     bool pool) {
        if (pool) {
            d = outDims(d, 3, inPlane, 1);
        }
        const Dims o = outDims(d, 3, stride, 1);
        conv(in, out, 3, o);   // conv1
        conv(out, out, 3, o);  // conv2
        conv(in, out, 1, o);   // projection (1×1×1, same stride: same output grid)
        for (std::int64_t b = 1; b < blocks; ++b) {
            conv(out, out, 3, o);
            conv(out, out, 3, o);
        }
        d = o;
    };
    stage(w, w, net.blocks[0], one, true);
    stage(w, 2 * w, net.blocks[1], one, true);
    stage(2 * w, 4 * w, net.blocks[2], all, false);
    stage(4 * w, 8 * w, net.blocks[3], all, false);
    // Head: a 1×1×1 convolution 8w → classes on the pooled 1×1×1 map (whole breast).
    conv(8 * w, net.classes, 1, one);
    return flops;
}

ForwardProfile profileForward(ml::BreastClassifier& model, const torch::Tensor& input, int passes,
                              bool bf16) {
    namespace nn = torch::nn;
    namespace F = torch::nn::functional;
    torch::NoGradGuard noGrad;
    ml::CpuAutocast autocast(bf16);
    ForwardProfile profile;
    profile.passes = passes;
    auto backbone = model->backbone();
    const auto act = F::LeakyReLUFuncOptions().negative_slope(backbone->options().leakySlope);
    std::map<std::string, std::size_t> convIndex;

    auto timed = [&](const std::string& kind, const auto& op) {
        const auto t0 = Clock::now();
        auto y = op();
        profile.byKind[kind] += elapsed(t0);
        return y;
    };
    // As the network runs them: the stem through its module, block convolutions through
    // ml::convolve().
    auto runConv = [&](const std::string& name, const std::shared_ptr<nn::Conv3dImpl>& module,
                       const torch::Tensor& x, bool block) {
        nn::Conv3dImpl& conv = *module;
        const auto t0 = Clock::now();
        auto y = block ? ml::convolve(nn::Conv3d(module), x) : conv.forward(x);
        const double dt = elapsed(t0);
        profile.byKind["convolution"] += dt;
        auto [it, fresh] = convIndex.try_emplace(name, profile.convs.size());
        if (fresh) {
            ConvTiming c;
            c.name = name;
            const auto& s = *conv.options.stride();
            char shape[160];
            std::snprintf(shape, sizeof shape,
                          "%3lld->%3lld k%lld s(%lld,%lld,%lld) out %lldx%lldx%lld",
                          static_cast<long long>(conv.weight.size(1)),
                          static_cast<long long>(conv.weight.size(0)),
                          static_cast<long long>(conv.weight.size(2)), static_cast<long long>(s[0]),
                          static_cast<long long>(s[1]), static_cast<long long>(s[2]),
                          static_cast<long long>(y.size(2)), static_cast<long long>(y.size(3)),
                          static_cast<long long>(y.size(4)));
            c.shape = shape;
            c.flops = 2.0 * static_cast<double>(conv.weight.numel()) *
                      static_cast<double>(y.numel() / y.size(1));
            const auto& w = conv.weight;
            c.ncxy = x.size(0) * x.size(1) * x.size(2) * x.size(3);
            const bool strided = s[0] != 1 || s[1] != 1 || s[2] != 1;
            const bool first = strided || x.size(0) >= 16 || w.size(-1) != 1 || w.size(-2) != 1 ||
                               at::get_num_threads() > 1;
            const bool second = conv.options.groups() > 1 || (w.size(-1) > 3 && w.size(-2) > 3) ||
                                x.size(0) > 1 || c.ncxy > 20480;
            c.oneDnnFp32 = first && second;
            c.block = block;
            profile.convs.push_back(c);
        }
        profile.convs[it->second].seconds += dt;
        return y;
    };
    auto child = [](const nn::Module& m, const std::string& name) -> std::shared_ptr<nn::Module> {
        const auto children = m.named_children();
        const auto* found = children.find(name);
        return found == nullptr ? nullptr : *found;
    };

    for (int pass = 0; pass < passes; ++pass) {
        torch::Tensor x = input;
        for (const auto& stageItem : backbone->named_children()) {
            auto seq = std::dynamic_pointer_cast<nn::SequentialImpl>(stageItem.value());
            TORCH_CHECK(seq, "unexpected backbone child ", stageItem.key());
            for (const auto& item : seq->named_children()) {
                const std::string prefix = "backbone." + stageItem.key() + "." + item.key();
                const auto& m = item.value();
                if (auto conv = std::dynamic_pointer_cast<nn::Conv3dImpl>(m)) {
                    x = runConv(prefix, conv, x, false);
                } else if (auto norm = std::dynamic_pointer_cast<ml::Norm3dImpl>(m)) {
                    x = timed("normalisation", [&] { return norm->forward(x); });
                } else if (std::dynamic_pointer_cast<nn::LeakyReLUImpl>(m)) {
                    x = timed("leaky relu", [&] { return F::leaky_relu(x, act); });
                } else if (auto pool = std::dynamic_pointer_cast<nn::MaxPool3dImpl>(m)) {
                    x = timed("max pool", [&] { return pool->forward(x); });
                } else if (std::dynamic_pointer_cast<ml::BasicBlock3dImpl>(m)) {
                    auto conv = [&](const std::string& n) {
                        return std::dynamic_pointer_cast<nn::Conv3dImpl>(child(*m, n));
                    };
                    auto norm = [&](const std::string& n) {
                        return std::dynamic_pointer_cast<ml::Norm3dImpl>(child(*m, n));
                    };
                    auto y = runConv(prefix + ".conv1", conv("conv1"), x, true);
                    y = timed("normalisation", [&] { return norm("norm1")->forward(y); });
                    y = timed("leaky relu", [&] { return F::leaky_relu(y, act); });
                    y = runConv(prefix + ".conv2", conv("conv2"), y, true);
                    y = timed("normalisation", [&] { return norm("norm2")->forward(y); });
                    auto skip = x;
                    if (auto projection = conv("projection")) {
                        skip = runConv(prefix + ".projection", projection, x, true);
                        skip = timed("normalisation",
                                     [&] { return norm("projection_norm")->forward(skip); });
                    }
                    y = timed("add (skip)", [&] { return y + skip; });
                    x = timed("leaky relu", [&] { return F::leaky_relu(y, act); });
                } else {
                    TORCH_CHECK(false, "unexpected module ", prefix);
                }
            }
        }
        profile.logits = timed("head (pools + 1x1x1 conv)", [&] { return model->classify(x); });
    }
    profile.logits = profile.logits.to(torch::kFloat32);
    return profile;
}

}  // namespace bmsc::bench
