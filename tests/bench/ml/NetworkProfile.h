#pragma once

// The forward pass of bmsc::ml::BreastClassifier taken apart: analytic FLOP counts and a
// layer-by-layer timed forward (through the modules' registered children, so that ml/ stays
// untouched), for bench_ml_inference.

#include "breastmsc/ml/ResNet3d.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bmsc::bench {

/// FLOPs (2 per multiply-add) of every convolution of the network on an (X, Y, Z) input,
/// computed from NETWORK.md's layer list alone: sum of 2 · Cin · Cout · k³ · output voxels.
double analyticConvFlops(const ml::ResNet3dOptions& net, const std::array<std::int64_t, 3>& xyz);

/// One convolution seen in a timed forward pass.
struct ConvTiming {
    std::string name;   ///< state-dict prefix, e.g. "backbone.c3.1.conv1"
    std::string shape;  ///< "Cin->Cout k3 s(..) out XxYxZ"
    double flops = 0;
    double seconds = 0;  ///< summed over the timed passes
    /// Whether LibTorch 1.13 sends this fp32 convolution to oneDNN (ConvParams::use_mkldnn:
    /// a kernel larger than 3 in-plane, a batch > 1, or N·C·X·Y > 20480 of the input); else it
    /// runs the native slow_conv3d on Debian's reference BLAS. bf16 always goes to oneDNN.
    bool oneDnnFp32 = false;
    /// A residual-block convolution, which the network runs through ml::convolve(): oneDNN
    /// directly in fp32 inference, whatever the rule above says.
    bool block = false;
    std::int64_t ncxy = 0;  ///< N·C·X·Y of the input, the figure in that rule
};

/// Times of a forward pass by layer and by operation kind (conv, instance norm, ...).
struct ForwardProfile {
    std::vector<ConvTiming> convs;
    std::map<std::string, double> byKind;  ///< seconds summed over the timed passes
    int passes = 0;
    torch::Tensor logits;  ///< of the last pass (checked against model->forward)
};

/// Runs `passes` forward passes (no gradients) op by op, timing each; `bf16` under CPU
/// autocast as the product does it (ml::CpuAutocast).
ForwardProfile profileForward(ml::BreastClassifier& model, const torch::Tensor& input, int passes,
                              bool bf16);

}  // namespace bmsc::bench
