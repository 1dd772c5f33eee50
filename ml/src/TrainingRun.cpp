#include "breastmsc/ml/TrainingRun.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/CrossValidation.h"
#include "breastmsc/ml/LearningCurves.h"
#include "breastmsc/ml/Metrics.h"
#include "breastmsc/ml/PreparedCohort.h"
#include "breastmsc/ml/RunReport.h"
#include "breastmsc/ml/Trainer.h"
#include "breastmsc/ml/WindowMining.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;
using nlohmann::json;

namespace {

/// One breast of the config's preprocessing grid (x is half the grid: two breasts).
Triple breastShape(const TrainingConfig& c) {
    const auto& g = c.preprocess.grid;
    return {g[0] / 2, c.preprocess.cropRows, g[2]};
}

/// The parts of a config that change results (threads, cache size, how often validation
/// watches and how often checkpoints are written do not). A window count that covers every
/// window of the breast mines exactly what "all" mines: runs recorded before "all" existed
/// wrote the naive preset's 275.
json comparableConfig(const TrainingConfig& c) {
    auto j = c.toJson();
    if (c.stage2Windows > 0 && c.stage2Windows != kAllWindows) {
        const auto windows = windowOrigins(c.network, breastShape(c)).size();
        if (windows > 0 && static_cast<std::size_t>(c.stage2Windows) >= windows) {
            j["stage2_windows"] = "all";
        }
    }
    j.erase("threads");
    j.erase("parallel_members");
    j.erase("validation_interval");
    j.erase("checkpoint_seconds");
    j.erase("loader_threads");
    j.erase("cache_megabytes");
    return j;
}

void writeJson(const fs::path& file, const json& j) {
    io::writeFileAtomically(file, [&j](std::ostream& o) { o << j.dump(2) << '\n'; });
}

json readJson(const fs::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw IoError(ErrorCode::NotFound, file, "missing");
    }
    try {
        json j;
        in >> j;
        return j;
    } catch (const json::exception& e) {
        throw IoError(ErrorCode::Corrupt, file, std::string("not valid JSON: ") + e.what());
    }
}

fs::path foldFolder(const fs::path& run, int fold) {
    return run / ("fold" + std::to_string(fold + 1));
}

/// Member 0 of a fold's ensemble lives in the fold's folder (as a single network does),
/// member m > 0 in fold<k>/member<m+1>.
fs::path memberFolderOf(const fs::path& foldFolder, int member) {
    return member == 0 ? foldFolder : foldFolder / ("member" + std::to_string(member + 1));
}

/// Every network's checkpoint folder of the run: the folds, and their ensemble members.
std::vector<CurveSource> curveSources(const fs::path& run, const TrainingConfig& config) {
    std::vector<CurveSource> sources;
    for (int k = 0; k < config.folds; ++k) {
        for (int m = 0; m < config.ensemble; ++m) {
            sources.push_back({k, m, memberFolderOf(foldFolder(run, k), m)});
        }
    }
    return sources;
}

/// Held while seeding LibTorch's global generator and drawing from it (initial weights, a
/// fresh head), so that members on parallel threads draw what they would one after the other.
std::mutex& globalGeneratorMutex() {
    static std::mutex mutex;
    return mutex;
}

bool isCancel(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const IoError& error) {
        return error.code() == ErrorCode::Cancelled;
    } catch (...) {
        return false;
    }
}

/// Runs train(copy of trainer, member) for every member of a fold's ensemble:
/// `parallel_members` at a time, each on its own thread with an equal share of LibTorch's
/// threads (at least one). When one member fails, the others stop at their next batch and
/// the failure is rethrown (a cancel only when nothing else went wrong).
void trainMembers(const Trainer& trainer, const TrainingConfig& config,
                  const std::function<void(Trainer&, int)>& train) {
    const int parallel = std::min(config.parallelMembers, config.ensemble);
    if (parallel <= 1) {
        for (int m = 0; m < config.ensemble; ++m) {
            Trainer t = trainer;
            t.setMember(m);
            train(t, m);
        }
        return;
    }
    const int threads = at::get_num_threads();
    const int share = std::max(1, threads / parallel);
    for (int first = 0; first < config.ensemble; first += parallel) {
        const int last = std::min(first + parallel, config.ensemble);
        std::vector<std::exception_ptr> errors(static_cast<std::size_t>(last - first));
        std::vector<std::thread> workers;
        for (int m = first; m < last; ++m) {
            workers.emplace_back([&, m] {
                try {
                    at::set_num_threads(share);
                    Trainer t = trainer;
                    t.setMember(m);
                    train(t, m);
                } catch (...) {
                    errors[static_cast<std::size_t>(m - first)] = std::current_exception();
                    trainer.abortAll();
                }
            });
        }
        for (auto& w : workers) {
            w.join();
        }
        at::set_num_threads(threads);  // the workers set the count new threads start with
        std::exception_ptr firstError;
        for (const auto& e : errors) {
            if (e && (!firstError || (isCancel(firstError) && !isCancel(e)))) {
                firstError = e;
            }
        }
        if (firstError) {
            std::rethrow_exception(firstError);
        }
    }
}

/// The epochs of Stage 1 and Stage 2 one network trains per fold in the config's mode.
std::array<int, 2> foldEpochs(const TrainingConfig& c) {
    return {c.mode == TrainingMode::Naive ? 0 : c.stage1.epochs,
            c.mode == TrainingMode::Stage1 ? 0 : c.stage2.epochs};
}

/// A guess of the cost of one epoch of each stage, for the ETA until both are timed: items
/// (Stage 1: every lesion's patch and its background patches; Stage 2: every breast) over the
/// whole cohort (each fold trains on a like share of both), each costing its voxels plus a
/// fixed 8192, since small patches cost more than their voxels say: in the demo preset's run
/// logs (2 CPU cores) a Stage 2 epoch takes about 2.2 Stage 1 epochs for 16× the voxels an
/// item, about 4 ms a patch against 21 ms a breast, which this guess puts at 2.5. Only a
/// guess: the timed epochs replace it. A multiple-instance Stage 2 (stage2_windows k) trains one
/// patch a breast after scoring k windows (at most the breast's) without gradients (a forward
/// pass taken as a third of a training step).
std::array<double, 2> epochCostGuess(const TrainingConfig& c, const PreparedCohort& cohort) {
    constexpr double kItemVoxels = 8192.0;
    double lesions = 0.0;
    for (const auto& b : cohort.breasts()) {
        lesions += static_cast<double>(b.lesions.size());
    }
    const auto shape = breastShape(c);
    const double patch = static_cast<double>(c.patchSize[0] * c.patchSize[1] * c.patchSize[2]);
    const double breast = static_cast<double>(shape[0] * shape[1] * shape[2]);
    const double windows = static_cast<double>(
        std::min<std::size_t>(static_cast<std::size_t>(std::max(c.stage2Windows, 0)),
                              windowOrigins(c.network, shape).size()));
    const double breastItem =
        c.stage2Windows > 0 ? (patch + kItemVoxels) * (1.0 + windows / 3.0) : breast + kItemVoxels;
    return {std::max(1.0, lesions * (1.0 + c.backgroundPatches)) * (patch + kItemVoxels),
            std::max<double>(1.0, static_cast<double>(cohort.breasts().size())) * breastItem};
}

/// Where a stage's or a run's training time went, for its log line.
std::string timeText(double dataWait, double compute, double windows, double validation) {
    char text[160];
    std::snprintf(text, sizeof text, "data wait %.1f s, compute %.1f s, ", dataWait, compute);
    std::string out = text;
    if (windows > 0.0) {
        std::snprintf(text, sizeof text, "choosing windows %.1f s, ", windows);
        out += text;
    }
    std::snprintf(text, sizeof text, "validation %.1f s", validation);
    return out + text;
}

}  // namespace

torch::Device parseDevice(const std::string& text) {
    if (text == "cpu") {
        return torch::kCPU;
    }
    if (text.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available()) {
            throw IoError(ErrorCode::InvalidArgument, {},
                          "--device " + text + ": this LibTorch has no usable CUDA device");
        }
        try {
            return torch::Device(text);
        } catch (const std::exception&) {
        }
    }
    throw IoError(ErrorCode::InvalidArgument, {},
                  "unknown device '" + text + "' (cpu, cuda, cuda:N)");
}

TrainingConfig loadRunConfig(const fs::path& run) {
    // evaluate, predict and cam get pointed at the wrong folder (the cohort, a fold): say so,
    // rather than that a config.json cannot be opened.
    std::error_code error;
    if (!fs::is_directory(run, error)) {
        throw IoError(
            ErrorCode::NotFound, run,
            fs::exists(run, error) ? "not a training run (a run is a folder)" : "no such folder");
    }
    if (!fs::exists(run / "config.json", error)) {
        throw IoError(ErrorCode::NotFound, run, "not a training run (no config.json)");
    }
    return TrainingConfig::loadRecord(run / "config.json");
}

fs::path loadRunCohort(const fs::path& run) {
    const fs::path file = run / "run.json";
    const json j = readJson(file);
    const auto cohort = j.is_object() ? j.find("cohort") : j.end();
    if (cohort == j.end() || !cohort->is_string() || cohort->get<std::string>().empty()) {
        throw IoError(ErrorCode::Corrupt, file, "records no cohort (\"cohort\": its folder)");
    }
    return cohort->get<std::string>();
}

json evaluateRun(const fs::path& run) {
    const auto config = loadRunConfig(run);
    std::vector<FoldPredictions> folds;
    for (int k = 0; k < config.folds; ++k) {
        const auto file = foldFolder(run, k) / "predictions.csv";
        if (fs::exists(file)) {
            folds.push_back(readPredictions(file, k));
        }
    }
    if (folds.empty()) {
        throw IoError(ErrorCode::NotFound, run, "no fold of this run has predictions yet");
    }
    json extra = {{"mode", std::string(modeName(config.mode))}, {"preset", config.preset}};
    if (fs::exists(run / "metrics.json")) {
        const auto old = readJson(run / "metrics.json");
        for (const char* key : {"seconds", "data_wait_seconds", "compute_seconds", "window_seconds",
                                "validation_seconds", "cohort_hash"}) {
            if (old.contains(key)) {
                extra[key] = old[key];
            }
        }
    }
    auto metrics = writeRunReport(run, folds, extra);
    writeLearningCurves(run, readLearningCurves(curveSources(run, config)));
    return metrics;
}

RunResult runCrossValidation(const TrainingConfig& config, const RunOptions& options,
                             TrainingObserver* observer, io::Progress* preprocessProgress) {
    const auto start = std::chrono::steady_clock::now();
    config.validate("training config");
    RunResult result;
    const fs::path run = options.out;
    std::error_code ec;
    if (options.resume) {
        if (!fs::exists(run / "config.json", ec)) {
            throw IoError(ErrorCode::NotFound, run, "nothing to resume: no config.json in the run");
        }
        const auto stored = loadRunConfig(run);
        if (comparableConfig(stored) != comparableConfig(config)) {
            throw IoError(ErrorCode::InvalidArgument, run / "config.json",
                          "the run was started with another config; resume with the same one");
        }
    } else if (fs::exists(run / "config.json", ec) || fs::exists(run / "run.json", ec)) {
        throw IoError(ErrorCode::InvalidArgument, run,
                      "already holds a training run; pass --resume or choose another folder");
    }
    // Both classes must be present; checked on the CSVs before anything is written.
    {
        const auto source = io::Cohort::open(options.cohort);
        int classes[2] = {0, 0};
        if (config.mode == TrainingMode::Stage1) {
            for (const auto& l : source.lesions()) {
                ++classes[l.label == io::Label::Malignant ? 1 : 0];
            }
        } else {
            for (const auto& b : source.breasts()) {
                if (b.label != io::Label::Unlabelled) {
                    ++classes[b.label == io::Label::Malignant ? 1 : 0];
                }
            }
        }
        if (source.breasts().empty()) {
            throw IoError(ErrorCode::InvalidValue, options.cohort / "cohort.csv",
                          "the cohort has no patients");
        }
        if (classes[0] == 0 || classes[1] == 0) {
            throw IoError(ErrorCode::InvalidValue, options.cohort / "cohort.csv",
                          std::string("the cohort has one class only (") +
                              (classes[1] == 0 ? "no malignant" : "no benign") +
                              (config.mode == TrainingMode::Stage1 ? " lesions" : " breasts") +
                              "); training needs both");
        }
    }
    fs::create_directories(run, ec);
    if (ec) {
        throw IoError(ErrorCode::WriteFailed, run, "cannot create the run folder");
    }
    std::ofstream logFile(run / "train.log", std::ios::app);
    auto log = [&](const std::string& line) {
        logFile << line << '\n';
        logFile.flush();
        result.notes.push_back(line);
        if (observer != nullptr) {
            observer->message(line);
        }
    };
    writeJson(run / "config.json", config.toJson());

    const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(config.threads > 0 ? config.threads : hardware);

    std::vector<std::string> notes;
    const fs::path cache = options.cache.empty() ? run / "cache" : options.cache;
    const auto cohort = PreparedCohort::prepare(options.cohort, config.preprocess, cache,
                                                config.cacheMegabytes, preprocessProgress, &notes);
    for (const auto& n : notes) {
        log(n);
    }
    writeJson(run / "run.json", {{"cohort", fs::absolute(options.cohort).string()},
                                 {"cohort_hash", cohort->hash()},
                                 {"device", options.device.str()}});

    // Strata: 1 if any breast of the patient is malignant.
    const auto patients = cohort->patients();
    std::vector<int> strata;
    for (const auto& id : patients) {
        int stratum = 0;
        for (const auto i : cohort->breastsOf({id})) {
            stratum = std::max(stratum, cohort->breasts()[i].label == io::Label::Malignant ? 1 : 0);
        }
        strata.push_back(stratum);
    }
    std::vector<Fold> folds;
    try {
        folds = crossValidationFolds(patients, strata, config.folds, config.validationFraction,
                                     config.seed);
    } catch (const std::invalid_argument& e) {
        throw IoError(ErrorCode::InvalidValue, options.cohort / "cohort.csv", e.what());
    }
    json foldsJson = json::array();
    for (const auto& f : folds) {
        foldsJson.push_back({{"train", f.train}, {"validation", f.validation}, {"test", f.test}});
    }
    writeJson(run / "folds.json", foldsJson);

    const int foldCount = options.maxFolds > 0
                              ? std::min<int>(options.maxFolds, static_cast<int>(folds.size()))
                              : static_cast<int>(folds.size());
    Trainer trainer(config, cohort, options.device, observer, log);
    if (trainer.loaderThreads() < config.loaderThreads) {
        log("loader threads: " + std::to_string(trainer.loaderThreads()) + " of the configured " +
            std::to_string(config.loaderThreads) + " (LibTorch's " +
            std::to_string(at::get_num_threads()) + " threads use the CPU's " +
            std::to_string(hardware) + " cores; items are made between steps)");
    }
    const auto perFold = foldEpochs(config);
    trainer.setPlan(
        foldCount,
        {foldCount * config.ensemble * perFold[0], foldCount * config.ensemble * perFold[1]},
        epochCostGuess(config, *cohort));
    const json meta = {{"config", config.toJson()}, {"cohort_hash", cohort->hash()}};
    const auto foldFinished = [&](int k) {
        const auto folder = foldFolder(run, k);
        return options.resume && fs::exists(folder / "fold.json", ec) &&
               fs::exists(folder / "predictions.csv", ec);
    };
    if (options.resume) {
        // The stages that later folds finished before the interruption will not run again:
        // out of the ETA from the start (a finished fold is skipped whole below).
        for (int k = 0; k < foldCount; ++k) {
            for (int m = 0; m < config.ensemble && !foldFinished(k); ++m) {
                for (const int stage : {1, 2}) {
                    trainer.countResumedEpochs(memberFolderOf(foldFolder(run, k), m), stage);
                }
            }
        }
    }
    std::vector<FoldPredictions> predictions;
    for (int k = 0; k < foldCount; ++k) {
        const auto folder = foldFolder(run, k);
        const auto predictionsFile = folder / "predictions.csv";
        if (foldFinished(k)) {
            log("fold " + std::to_string(k + 1) + ": finished earlier; kept");
            predictions.push_back(readPredictions(predictionsFile, k));
            trainer.skipEpochs(1, config.ensemble * perFold[0]);
            trainer.skipEpochs(2, config.ensemble * perFold[1]);
            continue;
        }
        fs::create_directories(folder, ec);
        const auto& f = folds[static_cast<std::size_t>(k)];
        const auto trainBreasts = cohort->breastsOf(f.train);
        const auto valBreasts = cohort->breastsOf(f.validation);
        const auto testBreasts = cohort->breastsOf(f.test);
        log("fold " + std::to_string(k + 1) + ": " + std::to_string(f.train.size()) + " train, " +
            std::to_string(f.validation.size()) + " validation, " + std::to_string(f.test.size()) +
            " test patients");
        json foldJson = {{"fold", k + 1}};
        const bool patchFirst = config.mode != TrainingMode::Naive;
        // The input scale of each input the fold's members see, measured once per input.
        std::map<InputKind, torch::Tensor> scales;
        if (config.network.inputScaling == InputScaling::Channel) {
            for (int m = 0; m < config.ensemble; ++m) {
                const auto input = config.memberNetwork(m).input;
                if (scales.contains(input)) {
                    continue;
                }
                const auto scale = trainer.inputScale(trainBreasts, input);
                std::string line = "fold " + std::to_string(k + 1) + ": input scale per channel";
                if (!config.ensembleInputs.empty()) {
                    line += " (" + std::string(inputName(input)) + ")";
                }
                for (std::int64_t c = 0; c < scale.numel(); ++c) {
                    char value[32];
                    std::snprintf(value, sizeof value, " %.4g", scale[c].item<double>());
                    line += value;
                }
                log(line);
                scales[input] = scale;
            }
        }
        // What one member's training gives: its record in fold.json, its test predictions.
        struct MemberResult {
            json record;
            EvaluationResult test;
            double dataWaitSeconds = 0.0;
            double computeSeconds = 0.0;
            double windowSeconds = 0.0;
            double validationSeconds = 0.0;
        };
        std::vector<MemberResult> memberResults(static_cast<std::size_t>(config.ensemble));
        auto record = [&](const Trainer& t, MemberResult& r, int stage, const StageOutcome& o) {
            r.record["stage" + std::to_string(stage)] = {
                {"epochs_done", o.epochsDone},
                {"best_epoch", o.bestEpoch + 1},
                {"best_validation_auroc",
                 std::isfinite(o.bestAuroc) ? json(o.bestAuroc) : json(nullptr)},
                {"best_validation_loss",
                 std::isfinite(o.bestLoss) ? json(o.bestLoss) : json(nullptr)},
                {"stopped_early", o.stoppedEarly},
                {"data_wait_seconds", o.dataWaitSeconds},
                {"compute_seconds", o.computeSeconds},
                {"window_seconds", o.windowSeconds},
                {"validation_seconds", o.validationSeconds}};
            r.dataWaitSeconds += o.dataWaitSeconds;
            r.computeSeconds += o.computeSeconds;
            r.windowSeconds += o.windowSeconds;
            r.validationSeconds += o.validationSeconds;
            char line[200];
            if (f.validation.empty()) {
                std::snprintf(line, sizeof line, ": the last epoch, %d (no validation set); ",
                              o.bestEpoch + 1);
            } else {
                std::snprintf(line, sizeof line, ": best epoch %d (val AUROC %.4f, loss %.4f); ",
                              o.bestEpoch + 1, o.bestAuroc, o.bestLoss);
            }
            t.note(t.where(k, stage) + line +
                   timeText(o.dataWaitSeconds, o.computeSeconds, o.windowSeconds,
                            o.validationSeconds));
        };
        // The stages' samples are the same for every member (what differs is drawn per epoch).
        std::vector<Sample> train1, val1, train2, val2;
        if (patchFirst) {
            std::vector<std::string> stageNotes;
            train1 = trainer.samples(1, trainBreasts, &stageNotes);
            val1 = trainer.samples(1, valBreasts, &stageNotes);
            for (const auto& n : stageNotes) {
                log(n);
            }
        }
        if (config.mode != TrainingMode::Stage1) {
            train2 = trainer.samples(2, trainBreasts);
            if (config.stage2Rehearsal) {
                train2.insert(train2.end(), train1.begin(), train1.end());
            }
            val2 = trainer.samples(2, valBreasts);
        }
        const int finalStage = config.mode == TrainingMode::Stage1 ? 1 : 2;
        const auto testSamples = trainer.samples(finalStage, testBreasts);
        // One member (Trainer copy `t`): initial weights, Stage 1, Stage 2, test predictions.
        auto trainMember = [&](Trainer& t, int m) {
            auto& r = memberResults[static_cast<std::size_t>(m)];
            r.record = {{"member", m + 1}};
            const auto memberFolder = memberFolderOf(folder, m);
            const auto network = config.memberNetwork(m);
            BreastClassifier model{nullptr};
            {
                // Initial weights come from LibTorch's global generator, seeded per member.
                std::lock_guard lock(globalGeneratorMutex());
                torch::manual_seed(itemSeed(t.memberSeed(), static_cast<std::uint64_t>(k), 100));
                model =
                    BreastClassifier(network, patchFirst ? HeadKind::Patch : HeadKind::WholeBreast);
            }
            if (scales.contains(network.input)) {
                model->backbone()->setInputScale(scales.at(network.input));
            }
            if (patchFirst) {
                record(t, r, 1,
                       t.trainStage(model, k, 1, train1, val1, memberFolder, options.resume, meta));
            }
            if (config.mode != TrainingMode::Stage1) {
                if (config.mode == TrainingMode::Curriculum) {
                    std::lock_guard lock(globalGeneratorMutex());
                    torch::manual_seed(
                        itemSeed(t.memberSeed(), static_cast<std::uint64_t>(k), 200));
                    if (config.stage2Head == Stage2Head::Stage1) {
                        model->keepHead(HeadKind::WholeBreast);
                    } else {
                        model->resetHead(HeadKind::WholeBreast);
                    }
                }
                record(t, r, 2,
                       t.trainStage(model, k, 2, train2, val2, memberFolder, options.resume, meta));
            }
            r.test = t.evaluate(model, testSamples, finalStage);
            r.record["test_auroc"] =
                std::isfinite(r.test.auroc) ? json(r.test.auroc) : json(nullptr);
        };
        trainMembers(trainer, config, trainMember);
        EvaluationResult test = memberResults[0].test;
        json members = json::array();
        for (int m = 0; m < config.ensemble; ++m) {
            const auto& r = memberResults[static_cast<std::size_t>(m)];
            result.dataWaitSeconds += r.dataWaitSeconds;
            result.computeSeconds += r.computeSeconds;
            result.windowSeconds += r.windowSeconds;
            result.validationSeconds += r.validationSeconds;
            for (std::size_t i = 0; m > 0 && i < r.test.probabilities.size(); ++i) {
                test.probabilities[i] += r.test.probabilities[i];
            }
            members.push_back(r.record);
        }
        if (config.ensemble > 1) {
            // The ensemble's prediction: the mean probability of its members.
            double loss = 0.0;
            for (std::size_t i = 0; i < test.probabilities.size(); ++i) {
                auto& q = test.probabilities[i];
                q /= config.ensemble;
                const double p1 = std::clamp(test.labels[i] == 1 ? q : 1.0 - q, 1e-12, 1.0);
                loss -= std::log(p1);
            }
            test.loss = test.probabilities.empty()
                            ? 0.0
                            : loss / static_cast<double>(test.probabilities.size());
            test.auroc = auroc(test.probabilities, test.labels);
            foldJson["members"] = members;
        } else {
            for (const auto& [key, value] : members[0].items()) {
                if (key.rfind("stage", 0) == 0) {
                    foldJson[key] = value;
                }
            }
        }
        FoldPredictions p;
        p.fold = k;
        for (std::size_t i = 0; i < testSamples.size(); ++i) {
            const auto& b = cohort->breasts()[testSamples[i].breast];
            p.patientIds.push_back(b.patientId);
            p.sides.push_back(std::string(io::sideName(b.side)));
            p.lesions.push_back(
                testSamples[i].kind == SampleKind::WholeBreast ? -1 : testSamples[i].lesion);
            p.labels.push_back(test.labels[i]);
            p.probabilities.push_back(test.probabilities[i]);
        }
        writePredictions(predictionsFile, p);
        foldJson["test_auroc"] = std::isfinite(test.auroc) ? json(test.auroc) : json(nullptr);
        foldJson["test_loss"] = test.loss;
        writeJson(folder / "fold.json", foldJson);
        predictions.push_back(std::move(p));
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const json extra = {{"mode", std::string(modeName(config.mode))},
                        {"preset", config.preset},
                        {"cohort_hash", cohort->hash()},
                        {"seconds", result.seconds},
                        {"data_wait_seconds", result.dataWaitSeconds},
                        {"compute_seconds", result.computeSeconds},
                        {"window_seconds", result.windowSeconds},
                        {"validation_seconds", result.validationSeconds}};
    result.metrics = writeRunReport(run, predictions, extra);
    writeLearningCurves(run, readLearningCurves(curveSources(run, config)));
    char line[64];
    std::snprintf(line, sizeof line, "done in %.1f s; ", result.seconds);
    log(line + timeText(result.dataWaitSeconds, result.computeSeconds, result.windowSeconds,
                        result.validationSeconds));
    return result;
}

}  // namespace bmsc::ml
