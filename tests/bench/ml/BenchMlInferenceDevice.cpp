// bench_ml_inference --device cuda[:N]: the paper network on a GPU. C++ LibTorch next to the
// same network with the same weights and input in Python PyTorch eager on the same GPU
// (reference_resnet3d.py infer --device), for forward passes of one breast (batch 1), of both
// breasts of a study (batch 2), and for training steps of batch 4 (forward, cross-entropy,
// backward, Adam: what Stage 2 does per batch, without the data). Also the GPU's logits
// against the CPU's for the same weights and input: the device must compute the same function.
// Timing: the host clock around each pass after synchronising the device, median of the timed
// passes after warm-up passes. Exit status 3 when the GPU's logits disagree with the CPU's or
// with Python's, else 0.

#include "BenchMlSupport.h"
#include "NetworkProfile.h"

#include "breastmsc/ml/FusedAdam.h"
#include "breastmsc/ml/ResNet3d.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>

namespace fs = std::filesystem;

namespace bmsc::bench {

namespace {

struct DeviceTimes {
    std::vector<double> seconds;
    torch::Tensor logits;  ///< of the last pass, float32 on the CPU
    double medianMs() const { return 1e3 * median(seconds); }
};

void synchronize(const torch::Device& device) {
    if (device.is_cuda()) {
        torch::cuda::synchronize(device.index());
    }
}

DeviceTimes timeForward(ml::BreastClassifier& model, const torch::Tensor& x, int warmup,
                        int repeats) {
    torch::NoGradGuard noGrad;
    DeviceTimes t;
    for (int i = 0; i < warmup + repeats; ++i) {
        synchronize(x.device());
        const auto t0 = Clock::now();
        auto logits = model->forward(x);
        synchronize(x.device());
        const double dt = seconds(t0);
        if (i >= warmup) {
            t.seconds.push_back(dt);
        }
        t.logits = logits.to(torch::kCPU, torch::kFloat32);
    }
    return t;
}

/// Training steps of batch 4 as the trainer takes them (FusedAdam, which on a GPU is LibTorch's
/// Adam; gradients set to none between steps).
DeviceTimes timeTrainingSteps(ml::BreastClassifier& model, const torch::Tensor& x,
                              const torch::Tensor& y, int warmup, int repeats) {
    model->train();
    ml::FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-5));
    DeviceTimes t;
    for (int i = 0; i < warmup + repeats; ++i) {
        synchronize(x.device());
        const auto t0 = Clock::now();
        ml::clearGradients(optimizer);
        const auto loss = torch::nn::functional::cross_entropy(model->forward(x), y);
        loss.backward();
        optimizer.step();
        synchronize(x.device());
        const double dt = seconds(t0);
        if (i >= warmup) {
            t.seconds.push_back(dt);
        }
    }
    model->eval();
    return t;
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat64).flatten() - b.to(torch::kFloat64).flatten())
        .abs()
        .max()
        .item<double>();
}

void row(const char* name, double cppMs, double pyMs, double flops, const char* unit) {
    const double tflops = flops / (cppMs * 1e-3) / 1e12;
    if (pyMs > 0) {
        std::printf("%-44s %10.2f %10.2f %8.2f x %9.1f  %s\n", name, cppMs, pyMs, cppMs / pyMs,
                    tflops, unit);
    } else {
        std::printf("%-44s %10.2f %10s %10s %9.1f  %s\n", name, cppMs, "-", "-", tflops, unit);
    }
}

}  // namespace

int inferenceOnDevice(const BenchOptions& options, const torch::Device& device) {
    printHeader("bench_ml_inference --device " + options.device +
                    ": one breast through the paper network on " + device.str(),
                options);
    const std::array<std::int64_t, 3> xyz = options.quick
                                                ? std::array<std::int64_t, 3>{64, 64, 8}
                                                : std::array<std::int64_t, 3>{256, 256, 32};
    const int repeats = options.repeats > 0 ? options.repeats : (options.quick ? 2 : 20);
    const int warmup = options.quick ? 1 : 3;
    const int trainRepeats = std::max(2, repeats / 2);

    torch::manual_seed(1);
    ml::ResNet3dOptions net;  // the paper: 6 channels, width 18, ResNet18
    ml::BreastClassifier model(net, ml::HeadKind::WholeBreast);
    model->eval();
    const auto x = torch::randn({1, net.inputChannels, xyz[0], xyz[1], xyz[2]});
    const auto pair = torch::cat({x, torch::randn_like(x)});
    const auto batch4 = torch::randn({4, net.inputChannels, xyz[0], xyz[1], xyz[2]});
    const auto labels = torch::tensor({0, 1, 1, 0}, torch::kLong);
    torch::Tensor cpuLogits;
    {
        torch::NoGradGuard noGrad;
        cpuLogits = model->forward(x).to(torch::kFloat32);
    }

    // The Python reference gets the weights before any training step changes them.
    ScratchFolder scratch("bench_ml_inference_", options.keep);
    const fs::path weights = scratch.path() / "weights";
    fs::create_directories(weights);
    for (const auto& p : model->named_parameters()) {
        writeNpy(weights / (p.key() + ".npy"), p.value());
    }
    for (const auto& b : model->named_buffers()) {
        writeNpy(weights / (b.key() + ".npy"), b.value());
    }
    writeNpy(scratch.path() / "input.npy", x);

    std::printf("device    : %s (%zu CUDA device(s) visible)\n", device.str().c_str(),
                torch::cuda::device_count());
    std::printf("network   : width %lld, %lld parameters, input 1x%lldx%lldx%lldx%lld, z last\n",
                static_cast<long long>(net.width),
                static_cast<long long>(ml::parameterCount(*model)),
                static_cast<long long>(net.inputChannels), static_cast<long long>(xyz[0]),
                static_cast<long long>(xyz[1]), static_cast<long long>(xyz[2]));
    std::printf(
        "timing    : %d warm-up passes, median of %d timed (training: %d), host clock "
        "after synchronising\n\n",
        warmup, repeats, trainRepeats);
    std::fflush(stdout);

    model->to(device);
    const auto one = timeForward(model, x.to(device), warmup, repeats);
    const auto two = timeForward(model, pair.to(device), warmup, repeats);
    const auto train =
        timeTrainingSteps(model, batch4.to(device), labels.to(device), warmup, trainRepeats);

    PythonReference python(options.python);
    std::optional<nlohmann::json> py;
    if (python.available()) {
        std::printf("Python reference (%s %s) on %s, running ...\n", options.python.c_str(),
                    python.version().c_str(), device.str().c_str());
        std::fflush(stdout);
        py = python.run(
            "infer --weights " + shellQuoted(weights) + " --input " +
                shellQuoted(scratch.path() / "input.npy") + " --channels " +
                std::to_string(net.inputChannels) + " --width " + std::to_string(net.width) +
                " --threads " + std::to_string(options.threads) + " --warmup " +
                std::to_string(warmup) + " --repeats " + std::to_string(repeats) + " --device " +
                device.str() + " --pair --train-steps " + std::to_string(trainRepeats),
            scratch.path());
    } else {
        std::printf("Python reference unavailable: %s\n", python.why().c_str());
    }
    auto pyMs = [&](const char* key) {
        return py && py->contains(key) ? py->at(key).get<double>() : 0.0;
    };

    const double flops = analyticConvFlops(net, xyz);
    std::printf("\n%-44s %10s %10s %10s %9s\n", ("on " + device.str() + ", fp32").c_str(), "C++ ms",
                "Python ms", "C++/Py", "TFLOP/s");
    std::printf("(TFLOP/s: the convolutions' FLOPs over the C++ time)\n");
    row("forward, one breast (batch 1)", one.medianMs(), pyMs("fp32_median_ms"), flops, "");
    row("forward, both breasts (batch 2), per breast", two.medianMs() / 2,
        pyMs("pair_median_ms") / 2, 2 * flops / 2, "");
    row("training step, batch 4 (fwd+bwd+Adam)", train.medianMs(), pyMs("train_median_ms"),
        3 * 4 * flops, "(FLOPs: 3 x the forward's)");
    if (device.is_cuda() && py && py->contains("bf16_median_ms")) {
        std::printf("%-44s %10s %10.2f %10s %9s  %s\n", "forward, batch 1, bf16 autocast", "-",
                    py->at("bf16_median_ms").get<double>(), "-", "-",
                    "Python only: the product's bf16 is CPU only");
    }
    std::printf("training samples/s (C++): %.1f at %lldx%lldx%lld\n",
                4.0 / (train.medianMs() * 1e-3), static_cast<long long>(xyz[0]),
                static_cast<long long>(xyz[1]), static_cast<long long>(xyz[2]));

    int status = 0;
    const double cpuDiff = maxAbsDiff(one.logits, cpuLogits);
    std::printf("\nmax |logit| %s - CPU (C++, same weights and input) : %9.2e  %s\n",
                device.str().c_str(), cpuDiff, cpuDiff < 1e-2 ? "same function" : "MISMATCH");
    if (cpuDiff >= 1e-2) {
        status = 3;
    }
    if (py) {
        const auto pyLogits =
            torch::tensor(py->at("logits_fp32").get<std::vector<double>>(), torch::kFloat64);
        const double pyDiff = maxAbsDiff(one.logits, pyLogits);
        std::printf("max |logit| C++ - Python, both on %s : %9.2e  %s\n", device.str().c_str(),
                    pyDiff, pyDiff < 1e-2 ? "same network" : "MISMATCH");
        if (pyDiff >= 1e-2) {
            status = 3;
        }
        std::printf("Python: torch %s, cudnn.allow_tf32 %s, matmul TF32 %s\n",
                    py->value("torch", std::string("?")).c_str(),
                    py->value("cudnn_allow_tf32", std::string("?")).c_str(),
                    py->value("matmul_tf32", std::string("?")).c_str());
    }
    std::printf(
        "  (tolerance 1e-2: cuDNN may run fp32 convolutions in TF32, both languages alike; "
        "CPU fp32 is exact to ~1e-5)\n");
    std::printf("bench_ml_inference: table complete\n");
    return status;
}

}  // namespace bmsc::bench
