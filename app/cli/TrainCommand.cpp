// breastmsc-cli train / evaluate / compare: cross-validated training of the multi-scale
// curriculum CNN, its metrics, and two runs on the same folds side by side.
#include "CliProgress.h"
#include "Commands.h"
#include "OptionChecks.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/RunComparison.h"
#include "breastmsc/ml/RunReport.h"
#include "breastmsc/ml/TrainingRun.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;

namespace {

struct TrainArgs {
    std::string cohort;
    std::string preset = "demo";
    std::string mode;
    int folds = 0;
    int maxFolds = 0;
    std::string config;
    std::string out;
    bool resume = false;
    std::string device = "cpu";
    int epochs1 = -1;
    int epochs2 = -1;
    int threads = -1;
    bool bf16 = false;
    bool quiet = false;
};

/// Progress bar per batch (fraction of the whole run, ETA), one line per epoch and note.
class CliTrainingObserver final : public ml::TrainingObserver {
public:
    /// `before`: the preprocessing bar, ended (its line kept) by the run's first message.
    CliTrainingObserver(bool quiet, CliProgress* before)
        : progress_("training", quiet), before_(before), quiet_(quiet) {}
    void batchDone(const ml::TrainingProgress& p) override {
        char what[192];
        const int eta = static_cast<int>(p.etaSeconds);
        const std::string member = p.members > 1 ? " member " + std::to_string(p.member + 1) + "/" +
                                                       std::to_string(p.members)
                                                 : "";
        // ETA first: a narrow terminal cuts the line at its end.
        std::snprintf(
            what, sizeof what, "ETA %s fold %d/%d%s stage %d epoch %d/%d loss %.3f",
            eta >= 0 ? (std::to_string(eta / 60) + "m" + std::to_string(eta % 60) + "s").c_str()
                     : "?",
            p.fold + 1, p.folds, member.c_str(), p.stage, p.epoch + 1, p.epochs, p.trainLoss);
        progress_.report(p.fraction, what);
    }
    void message(std::string_view line) override {
        if (!quiet_) {
            if (before_ != nullptr) {
                before_->finish();
                before_ = nullptr;
            }
            progress_.clearLine();
            std::fprintf(stdout, "%.*s\n", static_cast<int>(line.size()), line.data());
            std::fflush(stdout);
        }
    }
    bool cancelled() const override { return progress_.cancelled(); }
    void finish() { progress_.finish(); }

private:
    CliProgress progress_;
    CliProgress* before_;
    bool quiet_;
};

std::string modeText(const ml::TrainingConfig& c) {
    return std::string(ml::modeName(c.mode));
}

void printSummary(const nlohmann::json& metrics, const fs::path& run) {
    std::printf("\n%s", ml::formatMetricsTable(metrics).c_str());
    const auto get = [&](const char* k) {
        return metrics.contains(k) && metrics[k].is_number() ? metrics[k].get<double>() : -1.0;
    };
    if (get("seconds") >= 0) {
        std::printf("wall time %.1f s (network waited %.1f s for data, computed %.1f s",
                    get("seconds"), get("data_wait_seconds"), get("compute_seconds"));
        // Runs from before the window and validation times were kept lack them.
        if (get("window_seconds") > 0) {
            std::printf(", chose windows %.1f s", get("window_seconds"));
        }
        if (get("validation_seconds") >= 0) {
            std::printf(", validated %.1f s", get("validation_seconds"));
        }
        std::printf(")\n");
    }
    std::printf(
        "results in %s (metrics.json, metrics.csv, roc.csv, roc.svg, curves.csv, curves.svg)\n",
        run.c_str());
}

// Where a run goes when --out is not given: runs/<cohort>-<preset>-<mode>-<date>-<time> in the
// working directory, a new folder for every start (a second start within the second gets -2).
fs::path defaultRunFolder(const fs::path& cohort, const ml::TrainingConfig& config) {
    // "cohort/", "." and ".." name their folder too.
    std::error_code error;
    const fs::path folderOfCohort = fs::absolute(cohort, error).lexically_normal();
    std::string name = folderOfCohort.filename().string();
    if (name.empty()) {
        name = folderOfCohort.parent_path().filename().string();
    }
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    const std::string base = "runs/" + (name.empty() ? std::string("cohort") : name) + "-" +
                             config.preset + "-" + modeText(config) + "-" + stamp;
    fs::path folder = base;
    for (int n = 2; fs::exists(folder); ++n) {
        folder = base + "-" + std::to_string(n);
    }
    return folder;
}

void runTrain(const TrainArgs& args) {
    fs::path out(args.out);
    ml::TrainingConfig config;
    fs::path cohort(args.cohort);
    if (cohort.empty() && !args.resume) {
        throw CLI::RequiredError("--cohort");  // a usage error (exit 2): nothing read yet
    }
    if (args.resume) {
        // The run's own config and cohort: the folder, config.json or run.json is named when
        // one of them is missing or unreadable.
        config = ml::loadRunConfig(out);
        if (cohort.empty()) {
            cohort = ml::loadRunCohort(out);
        }
    } else {
        // The mode is known before the preset is applied: the demo preset's stage settings
        // depend on it.
        if (args.config.empty()) {
            nlohmann::json j{{"preset", args.preset}};
            if (!args.mode.empty()) {
                j["mode"] = args.mode;
            }
            config = ml::TrainingConfig::fromJson(j, "--preset/--mode");
        } else {
            config = ml::TrainingConfig::load(args.config, args.mode);
        }
        if (args.folds > 0) {
            config.folds = args.folds;
        }
        if (args.epochs1 >= 0) {
            config.stage1.epochs = args.epochs1;
        }
        if (args.epochs2 >= 0) {
            config.stage2.epochs = args.epochs2;
        }
        if (args.bf16) {
            config.bf16 = true;
        }
    }
    if (args.threads >= 0) {
        config.threads = args.threads;
    }
    config.validate("command line");
    const bool defaultOut = out.empty();
    if (defaultOut) {
        out = defaultRunFolder(cohort, config);
    }
    ml::RunOptions options;
    options.cohort = cohort;
    options.out = out;
    options.resume = args.resume;
    options.device = ml::parseDevice(args.device);
    options.maxFolds = args.maxFolds;
    std::string members;
    if (config.ensemble > 1) {
        members = ", " + std::to_string(config.ensemble) + " networks per fold";
        if (config.parallelMembers > 1) {
            members += ", " + std::to_string(std::min(config.parallelMembers, config.ensemble)) +
                       " side by side";
        }
    }
    // The head's extra inputs change what the network reads; a config may set them on any preset.
    std::string peak =
        config.network.peakFeatures == ml::PeakFeatures::Stem ? ", head reads the stem's peak"
        : config.network.peakFeatures == ml::PeakFeatures::C2 ? ", head reads C2's peak"
                                                              : "";
    if (config.network.peakCurve) {
        peak += peak.empty() ? ", head reads the curve at the peak" : " and the curve there";
    }
    const char* wall = config.preprocess.posteriorWallFraction > 0 ? " less the wall behind" : "";
    std::printf(
        "training %s (%s preset, width %lld%s, breasts %lldx%lldx%lld%s, %d folds%s) on %s, "
        "device %s\n",
        modeText(config).c_str(), config.preset.c_str(),
        static_cast<long long>(config.network.width), peak.c_str(),
        static_cast<long long>(config.preprocess.grid[0] / 2),
        static_cast<long long>(config.preprocess.cropRows),
        static_cast<long long>(config.preprocess.grid[2]), wall, config.folds, members.c_str(),
        cohort.c_str(), args.device.c_str());
    if (defaultOut) {
        std::printf("run folder %s (no --out given)\n", out.c_str());
    }
    std::fflush(stdout);
    CliProgress prep("preprocessing", args.quiet);
    CliTrainingObserver observer(args.quiet, &prep);
    ml::RunResult result;
    try {
        result = ml::runCrossValidation(config, options, &observer, &prep);
    } catch (const IoError& e) {
        observer.finish();
        if (e.code() == ErrorCode::Cancelled) {
            std::fprintf(stderr,
                         "cancelled; the checkpoints so far are kept: continue with "
                         "breastmsc-cli train --out %s --resume\n",
                         out.c_str());
        }
        throw;
    }
    observer.finish();
    printSummary(result.metrics, out);
}

void runEvaluate(const std::string& run) {
    const auto metrics = ml::evaluateRun(run);
    std::printf("%s run (%s preset)\n", metrics.value("mode", std::string("?")).c_str(),
                metrics.value("preset", std::string("?")).c_str());
    printSummary(metrics, run);
}

struct CompareArgs {
    std::vector<std::string> runs;  ///< A B [A2 B2 ...]
    int resamples = 2000;
    std::uint64_t seed = 1;
};

void printComparison(const std::string& runA, const std::string& runB, const ml::RunComparison& c) {
    std::printf("A %s\nB %s\n%lld patients, %lld breasts\n", runA.c_str(), runB.c_str(),
                static_cast<long long>(c.patients), static_cast<long long>(c.breasts));
    if (c.folds.empty()) {
        std::printf("the runs split the patients into other folds: pooled figures only\n");
    } else {
        std::printf("\nfold  breasts  AUROC A  AUROC B    A - B\n");
        for (const auto& f : c.folds) {
            std::printf("%-4d  %7lld  %7.3f  %7.3f  %+7.3f\n", f.fold + 1,
                        static_cast<long long>(f.breasts), f.aurocA, f.aurocB, f.aurocA - f.aurocB);
        }
        std::printf("mean ± std of the folds' differences %+.3f ± %.3f\n", c.foldDifference.mean,
                    c.foldDifference.std);
    }
    std::printf("\npooled AUROC  A %.3f  B %.3f  A - B %+.3f\n", c.pooledA, c.pooledB,
                c.pooledA - c.pooledB);
    std::printf(
        "95 %% interval of A - B by a paired bootstrap of patients (%d resamples): "
        "[%+.3f, %+.3f]; share with A <= B %.2f\n",
        c.resamples, c.difference.low, c.difference.high, c.shareAtMostZero);
    std::printf("%s\n", c.difference.low > 0.0    ? "A is better: the interval lies above zero"
                        : c.difference.high < 0.0 ? "B is better: the interval lies below zero"
                                                  : "the interval holds zero: this cohort cannot "
                                                    "tell the runs apart");
}

void runCompare(const CompareArgs& args) {
    if (args.runs.size() < 2 || args.runs.size() % 2 != 0) {
        throw CLI::ValidationError("runs", "give the run folders in pairs: A B [A2 B2 ...]");
    }
    std::vector<std::pair<fs::path, fs::path>> pairs;
    for (std::size_t i = 0; i < args.runs.size(); i += 2) {
        pairs.emplace_back(args.runs[i], args.runs[i + 1]);
    }
    const auto all = ml::compareRunPairs(pairs, args.resamples, 0.95, args.seed);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        std::printf("%s", i == 0 ? "" : "\n\n");
        printComparison(args.runs[2 * i], args.runs[2 * i + 1], all.cohorts[i]);
    }
    if (pairs.size() > 1) {
        std::printf(
            "\nover %zu cohorts: mean of the pooled A - B %+.3f; 95 %% interval by a bootstrap "
            "redrawing each cohort's patients (%d resamples): [%+.3f, %+.3f]; share with "
            "A <= B %.3f\n%s\n",
            pairs.size(), all.meanDifference, all.resamples, all.difference.low,
            all.difference.high, all.shareAtMostZero,
            all.difference.low > 0.0    ? "A is better over the cohorts together"
            : all.difference.high < 0.0 ? "B is better over the cohorts together"
                                        : "the interval holds zero: the cohorts together cannot "
                                          "tell the runs apart");
    }
}

}  // namespace

void addTrainCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "train",
        "Cross-validated training: curriculum (patches, then whole breasts), naive or stage1");
    auto args = std::make_shared<TrainArgs>();
    cmd->add_option("--cohort", args->cohort,
                    "Cohort folder (cohort.csv, lesions.csv, studies); required unless --resume "
                    "continues a run (its run.json names the cohort)");
    cmd->add_option("--preset", args->preset, "Settings preset")
        ->check(CLI::IsMember(ml::TrainingConfig::presetNames()))
        ->capture_default_str();
    cmd->add_option("--mode", args->mode, "Training mode (default: the preset's, curriculum)")
        ->check(CLI::IsMember(ml::modeNames()));
    cmd->add_option("--folds", args->folds, "Cross-validation folds")->check(wholeNumberIn(2, 20));
    cmd->add_option("--max-folds", args->maxFolds, "Run only the first N folds (quick checks)")
        ->check(wholeNumberIn(1, 20));
    cmd->add_option("--config", args->config, "Training config JSON (overrides the preset)");
    auto* out =
        cmd->add_option("--out,-o", args->out,
                        "Run folder (default: runs/<cohort>-<preset>-<mode>-<date>-<time> here)");
    cmd->add_flag("--resume", args->resume, "Continue the run in --out from its checkpoints")
        ->needs(out);
    cmd->add_option("--device", args->device, "cpu, cuda or cuda:N")
        ->check(deviceName())
        ->capture_default_str();
    cmd->add_option("--epochs-stage1", args->epochs1, "Override Stage 1 epochs")
        ->check(wholeNumberIn(0, 100000));
    cmd->add_option("--epochs-stage2", args->epochs2, "Override Stage 2 epochs")
        ->check(wholeNumberIn(0, 100000));
    cmd->add_option("--threads", args->threads, "LibTorch threads (0 = all cores)")
        ->check(wholeNumberIn(0, 1024));
    cmd->add_flag("--bf16", args->bf16, "bfloat16 autocast on CPU");
    cmd->add_flag("--quiet,-q", args->quiet, "No progress output");
    cmd->callback([args] { runTrain(*args); });

    auto* eval =
        app.add_subcommand("evaluate", "Print (and rewrite) the metrics of a training run");
    auto run = std::make_shared<std::string>();
    eval->add_option("run", *run, "Run folder")->required();
    eval->callback([run] { runEvaluate(*run); });

    auto* compare = app.add_subcommand(
        "compare",
        "Two runs on the same cohort side by side: AUROC per fold, pooled, and a paired "
        "bootstrap interval of the difference; given a pair per cohort, also their mean");
    auto cargs = std::make_shared<CompareArgs>();
    compare
        ->add_option("runs", cargs->runs,
                     "Run folders in pairs, A then B, one pair per cohort: A B [A2 B2 ...]")
        ->required();
    compare->add_option("--resamples", cargs->resamples, "Bootstrap resamples")
        ->check(wholeNumberIn(100, 1000000))
        ->capture_default_str();
    compare->add_option("--seed", cargs->seed, "Bootstrap seed")
        ->check(wholeNumberIn(0, std::numeric_limits<long long>::max()))
        ->capture_default_str();
    compare->callback([cargs] { runCompare(*cargs); });
}

}  // namespace bmsc::cli
