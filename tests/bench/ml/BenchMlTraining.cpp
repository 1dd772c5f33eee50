// bench_ml_training [--threads N] [--repeats N] [--quick] [--python PATH] [--keep]
// Training throughput (samples/s) of one step = forward + backward + Adam at batch 4 with
// augmentation in the loop, for Stage 1 (lesion patches) and Stage 2 (whole breasts) at the
// demo and paper presets' sizes (ml::TrainingConfig::fromPreset). C++: the product's
// BatchLoader (worker threads prefetching) building items the way ml::makeItem does
// (extractPatch of a context + ml::augment + crop, or ml::augment of the whole breast) from
// synthetic in-memory breasts, and the step exactly as ml::Trainer does it. Python: what the
// authors' code does, one sample after the other: scipy.ndimage.rotate (order 1) per channel +
// flips, then a PyTorch step (reference_resnet3d.py). A program that prints figures next to the
// issue's goals; not a test.

#include "BenchMlSupport.h"

#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/BatchLoader.h"
#include "breastmsc/ml/FusedAdam.h"
#include "breastmsc/ml/ResNet3d.h"
#include "breastmsc/ml/Trainer.h"
#include "breastmsc/ml/TrainingConfig.h"
#include "breastmsc/ml/TrainingData.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace bmsc;
using bench::Clock;
using Triple = std::array<std::int64_t, 3>;

namespace {

const char* kUsage =
    "usage: bench_ml_training [--threads N] [--repeats N] [--quick] [--python PATH] [--keep]\n"
    "  samples/s of training steps (batch 4, augmentation in the loop), Stage 1 and Stage 2 at\n"
    "  the demo and paper presets' sizes, C++ next to a Python loop with scipy.ndimage.\n"
    "  --repeats N: timed steps per case (default 10; the paper Stage 2 case times N/5, >= 2).\n"
    "  --quick: small inputs (64x64x4 patches, 64x64x8 breasts), 1 timed step (a smoke run).\n";

struct Case {
    std::string name;
    bool patch = false;  ///< Stage 1
    ml::TrainingConfig config;
    Triple breast{};
    Triple input{};
    int warmup = 1;
    int steps = 10;
};

Case makeCase(const std::string& preset, int stage, int steps, int warmup) {
    Case c;
    c.config = ml::TrainingConfig::fromPreset(preset);
    const auto& p = c.config.preprocess;
    c.breast = {p.grid[0] / 2, p.cropRows, p.grid[2]};
    c.patch = stage == 1;
    c.input = c.patch ? c.config.patchSize : c.breast;
    c.warmup = warmup;
    c.steps = steps;
    char name[96];
    std::snprintf(name, sizeof name, "Stage %d %s %lldx%lldx%lld w%lld", stage, preset.c_str(),
                  static_cast<long long>(c.input[0]), static_cast<long long>(c.input[1]),
                  static_cast<long long>(c.input[2]),
                  static_cast<long long>(c.config.network.width));
    c.name = name;
    return c;
}

struct Throughput {
    double samplesPerSecond = 0;
    double stepMs = 0;
    double dataWaitShare = 0;
};

/// Items as ml::makeItem builds them for training (TrainingData.cpp), from memory.
std::pair<torch::Tensor, int> makeItem(const Case& c, const std::vector<torch::Tensor>& breasts,
                                       std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto& volume = breasts[rng() % breasts.size()];
    const int label = static_cast<int>(rng() & 1u);
    if (!c.patch) {
        return {ml::augment(volume, ml::drawAugmentation(c.config.augmentation, rng)), label};
    }
    const auto& p = c.input;
    Triple origin{};
    for (int a = 0; a < 3; ++a) {
        origin[a] =
            static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(c.breast[a] - p[a] + 1));
    }
    // Rotate a larger context about the patch centre, then crop (as makeItem does).
    const Triple margin{p[0] / 4, p[1] / 4, 0};
    const Triple big{p[0] + 2 * margin[0], p[1] + 2 * margin[1], p[2]};
    const auto context =
        ml::extractPatch(volume, {origin[0] - margin[0], origin[1] - margin[1], origin[2]}, big);
    const auto rotated = ml::augment(context, ml::drawAugmentation(c.config.augmentation, rng));
    using torch::indexing::Slice;
    return {rotated
                .index({Slice(), Slice(margin[0], margin[0] + p[0]),
                        Slice(margin[1], margin[1] + p[1]), Slice()})
                .contiguous(),
            label};
}

/// ml::FusedAdam (as ml::Trainer uses) or, with `fused` false, torch::optim::Adam.
std::unique_ptr<torch::optim::Optimizer> makeAdam(std::vector<torch::Tensor> parameters, double lr,
                                                  bool fused) {
    const auto options = torch::optim::AdamOptions(lr);
    if (fused) {
        return std::make_unique<ml::FusedAdam>(std::move(parameters), options);
    }
    return std::make_unique<torch::optim::Adam>(std::move(parameters), options);
}

/// `fusedAdam`: ml::FusedAdam, as ml::Trainer uses; false: torch::optim::Adam's own step.
Throughput trainCpp(const Case& c, const std::vector<torch::Tensor>& breasts, bool bf16,
                    bool fusedAdam = true) {
    torch::manual_seed(1);
    const auto& cfg = c.config;
    ml::BreastClassifier model(cfg.network,
                               c.patch ? ml::HeadKind::Patch : ml::HeadKind::WholeBreast);
    model->train();
    const double lr = c.patch ? cfg.stage1.learningRate : cfg.stage2.learningRate;
    const auto optimizer = makeAdam(model->parameters(), lr, fusedAdam);
    const int batches = c.warmup + c.steps;
    ml::BatchLoader loader(static_cast<std::size_t>(batches * cfg.batchSize), cfg.batchSize,
                           cfg.loaderThreads,
                           [&](std::size_t i) { return makeItem(c, breasts, ml::itemSeed(7, i)); });
    double total = 0, wait = 0;
    std::vector<double> steps;
    for (int b = 0; b < batches; ++b) {
        const auto t0 = Clock::now();
        auto batch = loader.next();
        const double w = bench::seconds(t0);
        // The step as ml::Trainer::trainStage does it.
        optimizer->zero_grad();
        torch::Tensor logits;
        {
            ml::CpuAutocast guard(bf16);
            logits = model->forward(batch->inputs);
        }
        const auto loss =
            torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), batch->targets);
        loss.backward();
        optimizer->step();
        loss.item<double>();
        const double dt = bench::seconds(t0);
        if (b >= c.warmup) {
            total += dt;
            wait += w;
            steps.push_back(dt);
        }
    }
    return {static_cast<double>(c.steps * cfg.batchSize) / total, 1e3 * bench::median(steps),
            wait / total};
}

/// Milliseconds of one optimiser step alone (median of 30, after 5), the case's network with
/// random gradients: ml::FusedAdam or torch::optim::Adam.
double optimizerMs(const Case& c, bool fusedAdam) {
    torch::manual_seed(3);
    ml::BreastClassifier model(c.config.network,
                               c.patch ? ml::HeadKind::Patch : ml::HeadKind::WholeBreast);
    for (auto& p : model->parameters()) {
        p.mutable_grad() = torch::randn_like(p);
    }
    const auto optimizer = makeAdam(model->parameters(), 1e-4, fusedAdam);
    std::vector<double> times;
    for (int i = 0; i < 35; ++i) {
        const auto t0 = Clock::now();
        optimizer->step();
        if (i >= 5) {
            times.push_back(bench::seconds(t0));
        }
    }
    return 1e3 * bench::median(times);
}

nlohmann::json pythonCase(const Case& c) {
    const auto& cfg = c.config;
    return {{"name", c.name},
            {"patch", c.patch},
            {"input", c.input},
            {"breast", c.breast},
            {"channels", cfg.network.inputChannels},
            {"width", cfg.network.width},
            {"norm", cfg.network.norm == ml::NormKind::Batch ? "batch" : "instance"},
            {"batch", cfg.batchSize},
            {"lr", c.patch ? cfg.stage1.learningRate : cfg.stage2.learningRate},
            {"breasts", 4},
            {"max_rotation_degrees", cfg.augmentation.maxRotationDegrees},
            {"warmup", c.warmup},
            {"steps", c.steps}};
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = bench::parseOptions(argc, argv, kUsage);
    bench::printHeader("bench_ml_training: training steps with augmentation in the loop", options);
    const int steps = options.repeats > 0 ? options.repeats : (options.quick ? 1 : 10);
    std::vector<Case> cases;
    if (options.quick) {
        // A smoke run: the demo preset's network on small inputs.
        auto s1 = makeCase("demo", 1, steps, 1);
        s1.breast = {80, 80, 8};
        s1.input = {64, 64, 4};
        s1.name = "Stage 1 quick 64x64x4 w16";
        auto s2 = makeCase("demo", 2, steps, 1);
        s2.breast = s2.input = {64, 64, 8};
        s2.name = "Stage 2 quick 64x64x8 w16";
        cases = {s1, s2};
    } else {
        cases.push_back(makeCase("demo", 1, steps, 2));
        cases.push_back(makeCase("paper", 1, steps, 2));
        cases.push_back(makeCase("demo", 2, steps, 1));
        cases.push_back(makeCase("paper", 2, std::max(2, steps / 5), 1));
    }

    std::printf(
        "C++: BatchLoader with the preset's loader threads, items as ml::makeItem "
        "(patch context + augment + crop | augment), step as ml::Trainer (FusedAdam, "
        "cross-entropy), 4 synthetic in-memory breasts per case.\n"
        "Python: per sample scipy.ndimage.rotate(order=1) per channel + random flips "
        "(x, y), then one PyTorch step; no worker processes.\n"
        "Augmentation: rotation about z up to +-%.0f deg, mirror; batch %d.\n\n",
        cases[0].config.augmentation.maxRotationDegrees, cases[0].config.batchSize);

    struct Result {
        Throughput fp32, bf16, fp32Adam;
        double fusedStepMs = 0, adamStepMs = 0;  ///< the optimiser's step alone
    };
    std::vector<Result> results;
    for (const auto& c : cases) {
        torch::manual_seed(2);
        std::vector<torch::Tensor> breasts;
        for (int i = 0; i < 4; ++i) {
            breasts.push_back(torch::randn(
                {c.config.network.inputChannels, c.breast[0], c.breast[1], c.breast[2]}));
        }
        std::printf("running %-32s C++ fp32 ...", c.name.c_str());
        std::fflush(stdout);
        Result r;
        r.fp32 = trainCpp(c, breasts, false);
        std::printf(" bf16 ...");
        std::fflush(stdout);
        r.bf16 = trainCpp(c, breasts, true);
        std::printf(" fp32 with torch Adam ...");
        std::fflush(stdout);
        r.fp32Adam = trainCpp(c, breasts, false, false);
        r.fusedStepMs = optimizerMs(c, true);
        r.adamStepMs = optimizerMs(c, false);
        std::printf(" done (load avg %s)\n", bench::loadAverage().c_str());
        results.push_back(r);
    }

    bench::ScratchFolder scratch("bench_ml_training_", options.keep);
    bench::PythonReference python(options.python);
    std::optional<nlohmann::json> py;
    if (python.available()) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& c : cases) {
            list.push_back(pythonCase(c));
        }
        std::ofstream(scratch.path() / "cases.json") << list.dump(1);
        std::printf("running the Python reference (%s, torch/scipy %s) ...\n",
                    options.python.c_str(), python.version().c_str());
        std::fflush(stdout);
        py = python.run("train --cases " + bench::shellQuoted(scratch.path() / "cases.json") +
                            " --threads " + std::to_string(options.threads),
                        scratch.path());
    } else {
        std::printf("Python reference unavailable: %s\n", python.why().c_str());
    }

    std::printf("\ntraining throughput, batch %d, %d threads (load avg now %s)\n\n",
                cases[0].config.batchSize, options.threads, bench::loadAverage().c_str());
    std::printf("%-30s %5s | %9s %8s %6s | %9s %8s | %9s | %9s %8s %6s | %7s %7s  %s\n", "case",
                "steps", "C++ fp32", "step ms", "wait", "C++ bf16", "step ms", "fp32 Adam",
                "Python", "step ms", "augm", "fp32", "bf16", "goal");
    std::printf("%-30s %5s | %9s %8s %6s | %9s %8s | %9s | %9s %8s %6s | %7s %7s\n", "", "timed",
                "samples/s", "", "share", "samples/s", "", "samples/s", "samples/s", "", "share",
                "ratio", "ratio");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& r = results[i];
        std::printf("%-30s %5d | %9.2f %8.0f %5.1f%% | %9.2f %8.0f | %9.2f | ",
                    cases[i].name.c_str(), cases[i].steps, r.fp32.samplesPerSecond, r.fp32.stepMs,
                    100.0 * r.fp32.dataWaitShare, r.bf16.samplesPerSecond, r.bf16.stepMs,
                    r.fp32Adam.samplesPerSecond);
        if (py) {
            const auto& p = py->at("cases").at(i);
            const double sps = p.at("samples_per_s").get<double>();
            std::printf("%9.2f %8.0f %5.1f%% | %6.2fx %6.2fx  >= 2x\n", sps,
                        p.at("step_median_ms").get<double>(),
                        100.0 * p.at("augment_share").get<double>(), r.fp32.samplesPerSecond / sps,
                        r.bf16.samplesPerSecond / sps);
        } else {
            std::printf("%9s %8s %6s | %7s %7s  >= 2x\n", "n/a", "", "", "n/a", "n/a");
        }
    }
    std::printf("\nthe optimiser's step alone (median of 30, random gradients):\n");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        std::printf("%-30s FusedAdam %6.2f ms, torch::optim::Adam %6.2f ms\n",
                    cases[i].name.c_str(), results[i].fusedStepMs, results[i].adamStepMs);
    }
    std::printf(
        "\nsamples/s = batch x timed steps / their wall time (data wait included); "
        "ratio = C++ / Python fp32. C++ steps use ml::FusedAdam as ml::Trainer does; fp32 Adam: "
        "the same fp32 step with torch::optim::Adam's own step. wait share: time the step waited "
        "for the loader; augm share: time Python spent augmenting.\n");
    if (!py) {
        std::printf("Python reference unavailable: %s\n", python.why().c_str());
    }
    std::printf("\nload avg at end: %s\n", bench::loadAverage().c_str());
    std::printf("bench_ml_training: table complete\n");
    return 0;
}
