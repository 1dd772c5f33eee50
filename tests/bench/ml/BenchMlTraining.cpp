// bench_ml_training [--threads N] [--repeats N] [--rounds N] [--only TEXT] [--profile]
//                   [--quick] [--python PATH] [--keep]
//                   [--no-block-cache] [--python-retains]
// Training throughput (samples/s) of one step = forward + backward + Adam at batch 4 with
// augmentation in the loop, for Stage 1 (lesion patches) and Stage 2 (whole breasts) at the
// demo and paper presets' sizes (ml::TrainingConfig::fromPreset). C++: the product's
// BatchLoader (worker threads prefetching where ml::loaderThreadsFor allows them) building items
// the way ml::makeItem does (ml::augmentedPatch: the patch's window of a rotated context, or
// ml::augment of the whole breast) from synthetic in-memory breasts, and the step exactly as
// ml::Trainer does it.
// Python: what the authors' code does, one sample after the other: scipy.ndimage.rotate (order 1)
// per channel + flips, then a PyTorch step (reference_resnet3d.py). The two alternate case by case
// over a few rounds, and a ratio compares the C++ and Python runs of one round: on a shared virtual
// machine the speed of either drifts by tens of percent within minutes, and runs seconds apart see
// the same drift. A program that prints figures next to the goals; not a test.

#include "BenchMlSupport.h"

#include "breastmsc/ml/Augmentation.h"
#include "breastmsc/ml/BatchLoader.h"
#include "breastmsc/ml/FusedAdam.h"
#include "breastmsc/ml/ResNet3d.h"
#include "breastmsc/ml/Trainer.h"
#include "breastmsc/ml/TrainingConfig.h"
#include "breastmsc/ml/TrainingData.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>

namespace fs = std::filesystem;
using namespace bmsc;
using bench::Clock;
using Triple = std::array<std::int64_t, 3>;

namespace {

const char* kUsage =
    "usage: bench_ml_training [--threads N] [--repeats N] [--rounds N] [--only TEXT] [--profile]\n"
    "                         [--quick] [--python PATH] [--keep]\n"
    "                         [--no-block-cache] [--python-retains]\n"
    "  samples/s of training steps (batch 4, augmentation in the loop), Stage 1 and Stage 2 at\n"
    "  the demo and paper presets' sizes, C++ next to a Python loop with scipy.ndimage.\n"
    "  --repeats N: timed steps per case (default 10): Stage 1 demo 4N, Stage 1 paper 2N,\n"
    "    Stage 2 demo N, Stage 2 paper N/5 (>= 2).\n"
    "  --rounds N: C++ and Python alternate case by case N times (default 3); the table gives\n"
    "    medians and each round's ratio.\n"
    "  --only TEXT: only the cases whose name contains TEXT (\"Stage 1 demo\", \"paper\").\n"
    "  --profile: instead of the table, the C++ step's operations by self time (LibTorch's\n"
    "    profiler), per case.\n"
    "  --quick: small inputs (64x64x4 patches, 64x64x8 breasts), 1 timed step, 1 round (a\n"
    "    smoke run).\n"
    "  --no-block-cache: C++ with LibTorch's default CPU allocator (without it, large blocks\n"
    "    come from ml's block cache, as in breastmsc-cli: ml::installCpuBlockCache).\n"
    "  --python-retains: Python with glibc settings that keep freed blocks (GLIBC_TUNABLES).\n";

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

/// The case's four synthetic in-memory breasts (the same for every run of the program).
std::vector<torch::Tensor> syntheticBreasts(const Case& c) {
    torch::manual_seed(2);
    std::vector<torch::Tensor> breasts;
    for (int b = 0; b < 4; ++b) {
        breasts.push_back(
            torch::randn({c.config.network.inputChannels, c.breast[0], c.breast[1], c.breast[2]}));
    }
    return breasts;
}

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
    return {ml::augmentedPatch(volume, origin, p, ml::drawAugmentation(c.config.augmentation, rng)),
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
                           ml::loaderThreadsFor(cfg.loaderThreads, torch::kCPU),
                           [&](std::size_t i) { return makeItem(c, breasts, ml::itemSeed(7, i)); });
    double total = 0, wait = 0;
    std::vector<double> steps;
    for (int b = 0; b < batches; ++b) {
        const auto t0 = Clock::now();
        auto batch = loader.next();
        const double w = bench::seconds(t0);
        // The step as ml::Trainer::trainStage does it.
        ml::clearGradients(*optimizer);
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

/// Self time per step of each operation (LibTorch's legacy CPU profiler) over `steps` fp32
/// steps of the case, C++ side: where a step's time goes, to look before optimising.
void profileCpp(const Case& c, const std::vector<torch::Tensor>& breasts, int steps) {
    namespace prof = torch::autograd::profiler;
    namespace impl = torch::profiler::impl;
    Case warm = c;
    warm.steps = 0;
    Case timed = c;
    timed.warmup = 0;
    timed.steps = steps;
    trainCpp(warm, breasts, false);  // first-use costs (oneDNN primitives) stay out
    prof::enableProfilerLegacy(impl::ProfilerConfig(impl::ProfilerState::CPU, true));
    const auto t0 = Clock::now();
    trainCpp(timed, breasts, false);
    const double wall = bench::seconds(t0);
    const auto lists = prof::disableProfilerLegacy();
    // Self time: an operation's span less the spans of the operations it called.
    std::map<std::string, std::pair<double, int>> self;  // us, calls
    for (const auto& list : lists) {
        struct Open {
            const prof::LegacyEvent* event;
            double children = 0;
        };
        std::vector<Open> stack;
        for (const auto& e : list) {
            if (e.kind() == prof::EventKind::PushRange) {
                stack.push_back({&e});
            } else if (e.kind() == prof::EventKind::PopRange && !stack.empty()) {
                const auto open = stack.back();
                stack.pop_back();
                const double us = open.event->cpuElapsedUs(e);
                std::string key = open.event->name();
                const auto shapes = open.event->shapes();
                if ((key.find("conv") != std::string::npos || key == "aten::fill_" ||
                     key == "aten::zeros" || key == "aten::copy_" || key == "aten::zero_") &&
                    shapes.size() >= 1) {
                    for (std::size_t k = 0; k < std::min<std::size_t>(2, shapes.size()); ++k) {
                        key += k == 0 ? " [" : "] [";
                        for (std::size_t d = 0; d < shapes[k].size(); ++d) {
                            key += (d ? "," : "") + std::to_string(shapes[k][d]);
                        }
                    }
                    key += "]";
                }
                auto& slot = self[key];
                slot.first += us - open.children;
                slot.second += 1;
                if (!stack.empty()) {
                    stack.back().children += us;
                }
            }
        }
    }
    std::vector<std::pair<std::string, std::pair<double, int>>> rows(self.begin(), self.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    double total = 0;
    for (const auto& r : rows) {
        total += r.second.first;
    }
    std::printf(
        "\n%s, C++ fp32: %d steps profiled, %.1f ms a step (profiler on), operations' "
        "self time %.1f ms a step; the top 40:\n",
        c.name.c_str(), steps, 1e3 * wall / steps, 1e-3 * total / steps);
    for (std::size_t i = 0; i < std::min<std::size_t>(40, rows.size()); ++i) {
        std::printf("  %8.2f ms %5.1f calls  %s\n", 1e-3 * rows[i].second.first / steps,
                    static_cast<double>(rows[i].second.second) / steps, rows[i].first.c_str());
    }
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
    const auto options = bench::parseOptions(argc, argv, kUsage, true);
    bench::printHeader("bench_ml_training: training steps with augmentation in the loop", options);
    const int steps = options.repeats > 0 ? options.repeats : (options.quick ? 1 : 10);
    const int rounds = options.rounds > 0 ? options.rounds : (options.quick ? 1 : 3);
    std::vector<Case> cases;
    if (options.quick) {
        // A smoke run: the demo preset's network on small inputs.
        auto s1 = makeCase("demo-v1", 1, steps, 1);
        s1.breast = {80, 80, 8};
        s1.input = {64, 64, 4};
        s1.name = "Stage 1 quick 64x64x4 w16";
        auto s2 = makeCase("demo-v1", 2, steps, 1);
        s2.breast = s2.input = {64, 64, 8};
        s2.name = "Stage 2 quick 64x64x8 w16";
        cases = {s1, s2};
    } else {
        // Steps of a second or more, so that a burst of load on the machine averages out.
        cases.push_back(makeCase("demo-v1", 1, 4 * steps, 2));
        cases.push_back(makeCase("paper", 1, 2 * steps, 2));
        cases.push_back(makeCase("demo-v1", 2, steps, 1));
        cases.push_back(makeCase("paper", 2, std::max(2, steps / 5), 1));
    }
    std::erase_if(cases,
                  [&](const Case& c) { return c.name.find(options.only) == std::string::npos; });
    if (cases.empty()) {
        std::fprintf(stderr, "bench_ml_training: no case name contains \"%s\"\n",
                     options.only.c_str());
        return 2;
    }

    if (options.profile) {
        for (const auto& c : cases) {
            profileCpp(c, syntheticBreasts(c), c.steps);
        }
        return 0;
    }

    std::printf(
        "C++: BatchLoader with the preset's loader threads as ml::Trainer uses them on the CPU "
        "(demo %d, paper %d here), items as ml::makeItem "
        "(patch context + augment + crop | augment), step as ml::Trainer (FusedAdam, "
        "cross-entropy), 4 synthetic in-memory breasts per case.\n"
        "Python: per sample scipy.ndimage.rotate(order=1) per channel + random flips "
        "(x, y), then one PyTorch step; no worker processes.\n"
        "Augmentation: rotation about z up to +-%.0f deg, mirror; batch %d.\n"
        "%d rounds; in each, every case runs C++ fp32, C++ bf16 and Python fp32 one after the "
        "other, so that a ratio compares runs seconds apart.\n\n",
        ml::loaderThreadsFor(ml::TrainingConfig::fromPreset("demo-v1").loaderThreads, torch::kCPU),
        ml::loaderThreadsFor(ml::TrainingConfig::fromPreset("paper").loaderThreads, torch::kCPU),
        cases[0].config.augmentation.maxRotationDegrees, cases[0].config.batchSize, rounds);

    bench::ScratchFolder scratch("bench_ml_training_", options.keep);
    bench::PythonReference python(options.python);
    if (python.available()) {
        std::printf("Python reference: %s, torch/scipy %s\n\n", options.python.c_str(),
                    python.version().c_str());
    } else {
        std::printf("Python reference unavailable: %s\n\n", python.why().c_str());
    }

    struct Result {
        std::vector<Throughput> fp32, bf16;
        std::vector<double> python, pythonStepMs, pythonAugment;  ///< rounds Python ran
        std::vector<double> ratio, ratioBf16;                     ///< per round
        Throughput fp32Adam;
        double fusedStepMs = 0, adamStepMs = 0;  ///< the optimiser's step alone
    };
    std::vector<Result> results(cases.size());
    std::vector<std::vector<torch::Tensor>> breasts;
    for (const auto& c : cases) {
        breasts.push_back(syntheticBreasts(c));
    }
    for (int round = 1; round <= rounds; ++round) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const auto& c = cases[i];
            auto& r = results[i];
            std::printf("round %d/%d %-32s C++ fp32 ...", round, rounds, c.name.c_str());
            std::fflush(stdout);
            r.fp32.push_back(trainCpp(c, breasts[i], false));
            std::printf(" %.1f/s, bf16 ...", r.fp32.back().samplesPerSecond);
            std::fflush(stdout);
            r.bf16.push_back(trainCpp(c, breasts[i], true));
            std::printf(" %.1f/s", r.bf16.back().samplesPerSecond);
            std::fflush(stdout);
            if (python.available()) {
                std::printf(", Python ...");
                std::fflush(stdout);
                const auto file = scratch.path() / "cases.json";
                std::ofstream(file) << nlohmann::json::array({pythonCase(c)}).dump(1);
                const auto py = python.run("train --cases " + bench::shellQuoted(file) +
                                               " --threads " + std::to_string(options.threads),
                                           scratch.path());
                if (py) {
                    const auto& p = py->at("cases").at(0);
                    const double sps = p.at("samples_per_s").get<double>();
                    r.python.push_back(sps);
                    r.pythonStepMs.push_back(p.at("step_median_ms").get<double>());
                    r.pythonAugment.push_back(p.at("augment_share").get<double>());
                    r.ratio.push_back(r.fp32.back().samplesPerSecond / sps);
                    r.ratioBf16.push_back(r.bf16.back().samplesPerSecond / sps);
                    std::printf(" %.1f/s: ratio %.2fx", sps, r.ratio.back());
                }
            }
            std::printf(" (load avg %s)\n", bench::loadAverage().c_str());
        }
    }
    for (std::size_t i = 0; i < cases.size(); ++i) {
        std::printf("%-32s C++ fp32 with torch::optim::Adam, optimiser steps alone ...\n",
                    cases[i].name.c_str());
        std::fflush(stdout);
        results[i].fp32Adam = trainCpp(cases[i], breasts[i], false, false);
        results[i].fusedStepMs = optimizerMs(cases[i], true);
        results[i].adamStepMs = optimizerMs(cases[i], false);
    }

    const auto medianOf = [](const std::vector<Throughput>& v, double Throughput::*field) {
        std::vector<double> x;
        for (const auto& t : v) {
            x.push_back(t.*field);
        }
        return bench::median(x);
    };
    std::printf(
        "\ntraining throughput, batch %d, %d threads, median of %d rounds (load avg now %s)\n\n",
        cases[0].config.batchSize, options.threads, rounds, bench::loadAverage().c_str());
    std::printf("%-30s %5s | %9s %8s %6s | %9s %8s | %9s %8s %6s | %7s %7s %-17s %s\n", "case",
                "steps", "C++ fp32", "step ms", "wait", "C++ bf16", "step ms", "Python", "step ms",
                "augm", "fp32", "bf16", "fp32 ratio", "goal");
    std::printf("%-30s %5s | %9s %8s %6s | %9s %8s | %9s %8s %6s | %7s %7s %-17s\n", "", "timed",
                "samples/s", "", "share", "samples/s", "", "samples/s", "", "share", "ratio",
                "ratio", "per round");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& r = results[i];
        std::printf("%-30s %5d | %9.2f %8.0f %5.1f%% | %9.2f %8.0f | ", cases[i].name.c_str(),
                    cases[i].steps, medianOf(r.fp32, &Throughput::samplesPerSecond),
                    medianOf(r.fp32, &Throughput::stepMs),
                    100.0 * medianOf(r.fp32, &Throughput::dataWaitShare),
                    medianOf(r.bf16, &Throughput::samplesPerSecond),
                    medianOf(r.bf16, &Throughput::stepMs));
        if (!r.ratio.empty()) {
            std::string perRound;
            for (const double x : r.ratio) {
                char text[16];
                std::snprintf(text, sizeof text, "%s%.2f", perRound.empty() ? "" : " ", x);
                perRound += text;
            }
            std::printf("%9.2f %8.0f %5.1f%% | %6.2fx %6.2fx %-17s >= 2x\n",
                        bench::median(r.python), bench::median(r.pythonStepMs),
                        100.0 * bench::median(r.pythonAugment), bench::median(r.ratio),
                        bench::median(r.ratioBf16), perRound.c_str());
        } else {
            std::printf("%9s %8s %6s | %7s %7s %-17s >= 2x\n", "n/a", "", "", "n/a", "n/a", "");
        }
    }
    std::printf(
        "\nC++ fp32 with torch::optim::Adam's step instead of FusedAdam (one run), and the "
        "optimiser's step alone (median of 30, random gradients):\n");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& r = results[i];
        std::printf("%-30s step %9.2f samples/s; FusedAdam %6.2f ms, torch::optim::Adam %6.2f ms\n",
                    cases[i].name.c_str(), r.fp32Adam.samplesPerSecond, r.fusedStepMs,
                    r.adamStepMs);
    }
    std::printf(
        "\nsamples/s = batch x timed steps / their wall time (data wait included), median over "
        "rounds; ratio = C++ / Python fp32 of the same round, median over rounds (the per-round "
        "fp32 ratios listed). wait share: time the step waited for the loader; augm share: time "
        "Python spent augmenting.\n");
    if (!python.available()) {
        std::printf("Python reference unavailable: %s\n", python.why().c_str());
    }
    std::printf("\nload avg at end: %s\n", bench::loadAverage().c_str());
    std::printf("bench_ml_training: table complete\n");
    return 0;
}
