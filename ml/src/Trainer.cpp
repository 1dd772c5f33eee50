#include "breastmsc/ml/Trainer.h"

#include "TorchCompat.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/BatchLoader.h"
#include "breastmsc/ml/Checkpoint.h"
#include "breastmsc/ml/FusedAdam.h"
#include "breastmsc/ml/Metrics.h"
#include "breastmsc/ml/WindowMining.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

/// `folder/stage<k>_last.pt`: where a stage's latest state is written and resumed from.
fs::path lastCheckpointOf(const fs::path& folder, int stage) {
    return folder / ("stage" + std::to_string(stage) + "_last.pt");
}

double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

json number(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}
double fromNumber(const json& j) {
    return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

json epochJson(const EpochSummary& e) {
    return {{"epoch", e.epoch},
            {"train_loss", number(e.trainLoss)},
            {"validation_loss", number(e.validationLoss)},
            {"validation_auroc", number(e.validationAuroc)},
            {"improved", e.improved},
            {"seconds", e.seconds},
            {"data_wait_seconds", e.dataWaitSeconds},
            {"compute_seconds", e.computeSeconds}};
}

/// A copy of the model's parameters and buffers, in the order of parameters() then buffers().
std::vector<torch::Tensor> copyState(BreastClassifier& model) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> state;
    for (const auto& t : model->parameters()) {
        state.push_back(t.detach().clone());
    }
    for (const auto& t : model->buffers()) {
        state.push_back(t.detach().clone());
    }
    return state;
}

void restoreState(BreastClassifier& model, const std::vector<torch::Tensor>& state) {
    torch::NoGradGuard noGrad;
    std::size_t i = 0;
    for (auto& t : model->parameters()) {
        t.detach().copy_(state.at(i++));
    }
    for (auto& t : model->buffers()) {
        t.detach().copy_(state.at(i++));
    }
}

/// Writes the weights `state` (copyState) as a checkpoint without optimiser, or the model's
/// own weights when `state` is empty; the model is left as it was.
void saveWeights(const fs::path& file, BreastClassifier& model,
                 const std::vector<torch::Tensor>& state, const json& meta) {
    if (state.empty()) {
        saveCheckpoint(file, model, nullptr, meta);
        return;
    }
    const auto current = copyState(model);
    restoreState(model, state);
    saveCheckpoint(file, model, nullptr, meta);
    restoreState(model, current);
}

/// Whether (auroc, loss) is better than the best so far under the selection rule.
bool better(SelectionMetric metric, double auroc, double loss, double bestAuroc, double bestLoss,
            bool haveBest) {
    if (!haveBest || metric == SelectionMetric::Last) {
        return true;
    }
    if (metric == SelectionMetric::Auroc && std::isfinite(auroc)) {
        if (!std::isfinite(bestAuroc) || auroc > bestAuroc + 1e-12) {
            return true;
        }
        if (auroc < bestAuroc - 1e-12) {
            return false;
        }
    }
    return loss < bestLoss;
}

}  // namespace

CpuAutocast::CpuAutocast(bool enabled) : enabled_(enabled) {
    if (enabled_) {
        previous_ = compat::cpuAutocastEnabled();
        compat::setCpuAutocastDtype(at::kBFloat16);
        compat::setCpuAutocast(true);
        at::autocast::increment_nesting();
    }
}

CpuAutocast::~CpuAutocast() {
    if (enabled_) {
        if (at::autocast::decrement_nesting() == 0) {
            at::autocast::clear_cache();
        }
        compat::setCpuAutocast(previous_);
    }
}

torch::Tensor classLogProbabilities(BreastClassifier& model, const torch::Tensor& inputs,
                                    TestAugmentation augmentation, bool bf16) {
    auto logProbabilities = [&](const torch::Tensor& x) {
        torch::Tensor logits;
        {
            CpuAutocast autocast(bf16 && x.device().is_cpu());
            logits = model->forward(x);
        }
        return torch::log_softmax(logits.to(torch::kCPU, torch::kFloat32), 1);
    };
    const auto direct = logProbabilities(inputs);
    if (augmentation == TestAugmentation::None) {
        return direct;
    }
    const auto mirrored = logProbabilities(inputs.flip({2}));
    return torch::logsumexp(torch::stack({direct, mirrored}), 0) - std::log(2.0);
}

Trainer::Trainer(TrainingConfig config, std::shared_ptr<const PreparedCohort> cohort,
                 torch::Device device, TrainingObserver* observer, Log log)
    : config_(std::move(config)),
      cohort_(std::move(cohort)),
      device_(device),
      loaderThreads_(loaderThreadsFor(config_.loaderThreads, device_)),
      observer_(observer),
      log_(std::move(log)) {}

void Trainer::setPlan(int folds, std::array<int, 2> epochs, std::array<double, 2> relativeCost) {
    std::lock_guard lock(shared_->mutex);
    shared_->folds = std::max(1, folds);
    shared_->progress.plan(epochs, relativeCost);
}

void Trainer::skipEpochs(int stage, int epochs) {
    std::lock_guard lock(shared_->mutex);
    shared_->progress.skip(stage, epochs);
}

void Trainer::countResumedEpochs(const fs::path& folder, int stage) {
    const fs::path lastFile = lastCheckpointOf(folder, stage);
    std::error_code ec;
    if (!fs::exists(lastFile, ec)) {
        return;
    }
    try {
        countResumed(lastFile, stage, readCheckpointMeta(lastFile));
    } catch (const std::exception&) {
        // Unreadable: trainStage names the file when it reaches it.
    }
}

void Trainer::countResumed(const fs::path& lastFile, int stage, const json& state) {
    const auto& settings = stage == 1 ? config_.stage1 : config_.stage2;
    const int done = state.value("epochs_done", 0);
    std::lock_guard lock(shared_->mutex);
    if (shared_->counted.insert(lastFile).second) {
        shared_->progress.skip(
            stage, state.value("finished", false) ? std::max(done, settings.epochs) : done);
    }
}

void Trainer::abortAll() const {
    std::lock_guard lock(shared_->mutex);
    shared_->aborted = true;
}

bool Trainer::cancelled() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->aborted || (observer_ != nullptr && observer_->cancelled());
}

std::uint64_t Trainer::memberSeed() const noexcept {
    return member_ == 0
               ? config_.seed
               : itemSeed(config_.seed, 0xe75e3b1eull, static_cast<std::uint64_t>(member_));
}

std::string Trainer::where(int fold, int stage) const {
    return "fold " + std::to_string(fold + 1) +
           (config_.ensemble > 1 ? " member " + std::to_string(member_ + 1) : std::string()) +
           " stage " + std::to_string(stage);
}

void Trainer::note(const std::string& line) const {
    std::lock_guard lock(shared_->mutex);
    // The run's log forwards to the observer; without one, tell the observer directly.
    if (log_) {
        log_(line);
    } else if (observer_ != nullptr) {
        observer_->message(line);
    }
}

ItemOptions Trainer::itemOptions(bool training) const {
    ItemOptions o;
    o.patchSize = config_.patchSize;
    o.training = training;
    o.patchJitter = config_.patchJitter;
    o.patchInside = config_.patchBorder == PatchBorder::Shift;
    o.backgroundCandidates = config_.backgroundCandidates;
    o.augmentation = config_.augmentation;
    return o;
}

std::vector<Sample> Trainer::samples(int stage, const std::vector<std::size_t>& breasts,
                                     std::vector<std::string>* notes) const {
    return stage == 1 ? stage1Samples(*cohort_, breasts, config_.backgroundPatches, notes)
                      : stage2Samples(*cohort_, breasts);
}

torch::Tensor Trainer::inputScale(const std::vector<std::size_t>& breasts, InputKind input) const {
    torch::NoGradGuard noGrad;
    torch::Tensor sum, squares;
    double count = 0.0;
    for (const auto i : breasts) {
        const auto x = ResNet3dBackboneImpl::transformInput(input, cohort_->load(i).unsqueeze(0))
                           .to(torch::kDouble);
        const auto s = x.sum({0, 2, 3, 4});
        const auto q = (x * x).sum({0, 2, 3, 4});
        sum = sum.defined() ? sum + s : s;
        squares = squares.defined() ? squares + q : q;
        count += static_cast<double>(x.numel() / x.size(1));
    }
    if (count == 0.0) {
        throw IoError(ErrorCode::InvalidValue, {}, "input scale: no training breasts");
    }
    const auto mean = sum / count;
    const auto sd = (squares / count - mean * mean).clamp_min(0.0).sqrt();
    // A channel that is constant over the training breasts keeps its scale.
    return torch::where(sd > 1e-6, 1.0 / sd, torch::ones_like(sd)).to(torch::kFloat);
}

EvaluationResult Trainer::evaluate(BreastClassifier& model, const std::vector<Sample>& samples,
                                   int /*stage*/) {
    EvaluationResult result;
    model->eval();
    torch::NoGradGuard noGrad;
    const auto options = itemOptions(false);
    BatchLoader loader(samples.size(), config_.batchSize, loaderThreads_,
                       [&](std::size_t i) { return makeItem(*cohort_, samples[i], options, 0); });
    double lossSum = 0.0;
    while (auto batch = loader.next()) {
        if (cancelled()) {
            throw IoError(ErrorCode::Cancelled, {}, "training cancelled");
        }
        const auto logProbabilities = classLogProbabilities(model, batch->inputs.to(device_),
                                                            config_.testAugmentation, config_.bf16);
        const auto targets = batch->targets;
        lossSum += torch::nn::functional::nll_loss(
                       logProbabilities, targets,
                       torch::nn::functional::NLLLossFuncOptions().reduction(torch::kSum))
                       .item<double>();
        const auto probs = logProbabilities.select(1, 1).exp().contiguous();
        for (std::int64_t k = 0; k < probs.size(0); ++k) {
            result.probabilities.push_back(probs[k].item<double>());
            result.labels.push_back(static_cast<int>(targets[k].item<std::int64_t>()));
        }
    }
    result.loss = samples.empty() ? std::numeric_limits<double>::quiet_NaN()
                                  : lossSum / static_cast<double>(samples.size());
    result.auroc = auroc(result.probabilities, result.labels);
    return result;
}

StageOutcome Trainer::trainStage(BreastClassifier& model, int fold, int stage,
                                 const std::vector<Sample>& train,
                                 const std::vector<Sample>& validation, const fs::path& folder,
                                 bool resume, const json& meta) {
    const auto& settings = stage == 1 ? config_.stage1 : config_.stage2;
    const fs::path lastFile = lastCheckpointOf(folder, stage);
    const fs::path bestFile = folder / ("stage" + std::to_string(stage) + "_best.pt");
    if (train.empty()) {
        throw IoError(
            ErrorCode::InvalidValue, folder,
            where(fold, stage) + ": no training samples (no lesions / no labelled breasts)");
    }
    fs::create_directories(folder);
    model->to(device_);
    FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(settings.learningRate));

    StageOutcome outcome;
    outcome.bestAuroc = std::numeric_limits<double>::quiet_NaN();
    outcome.bestLoss = std::numeric_limits<double>::infinity();
    bool haveBest = false;
    int sinceBest = 0;
    json history = json::array();
    // Multiple-instance Stage 2: the candidates the stage started with.
    std::map<std::size_t, std::vector<Triple>> savedWindows;
    // Stage 1's hard examples (TrainingConfig::hardExamples): each sample's last training loss,
    // kept in the checkpoints so that a resumed stage draws the epochs it would have drawn.
    const bool hard = stage == 1 && config_.hardExamples > 0.0;
    std::vector<double> lastLoss(hard ? train.size() : 0, 1.0);
    std::error_code ec;
    if (resume && fs::exists(lastFile, ec)) {
        const auto state = loadCheckpoint(lastFile, model, &optimizer, device_);
        if (state.value("cohort_hash", "") != meta.value("cohort_hash", "")) {
            throw IoError(ErrorCode::InvalidArgument, lastFile,
                          "checkpoint was made from another cohort or preprocessing (hash " +
                              state.value("cohort_hash", std::string("?")) + ")");
        }
        outcome.epochsDone = state.at("epochs_done").get<int>();
        outcome.bestEpoch = state.at("best_epoch").get<int>();
        outcome.bestAuroc = fromNumber(state.at("best_auroc"));
        outcome.bestLoss = fromNumber(state.at("best_loss"));
        outcome.stoppedEarly = state.value("stopped_early", false);
        haveBest = outcome.bestEpoch >= 0;
        sinceBest = state.at("since_best").get<int>();
        history = state.at("history");
        savedWindows = storedCandidates(state, lastFile);
        if (hard) {
            const auto saved = state.value("sample_losses", json::array());
            if (!saved.is_array() || saved.size() != lastLoss.size()) {
                throw IoError(ErrorCode::InvalidValue, lastFile,
                              "checkpoint holds no loss for each of the " +
                                  std::to_string(lastLoss.size()) + " training samples");
            }
            lastLoss = saved.get<std::vector<double>>();
        }
        note(where(fold, stage) + ": resuming after epoch " + std::to_string(outcome.epochsDone));
        countResumed(lastFile, stage, state);  // unless countResumedEpochs already did
        if (state.value("finished", false)) {
            if (haveBest) {
                loadCheckpoint(bestFile, model, nullptr, device_);
            }
            return outcome;
        }
    }

    // Stage 2 as multiple-instance learning over windows (TrainingConfig::stage2Windows): each
    // training breast's candidate windows, chosen once by the model the stage starts from (and
    // kept in the checkpoints, so that a resumed stage trains on the same candidates).
    const bool windowMil = stage == 2 && config_.stage2Windows > 0;
    std::map<std::size_t, std::vector<Triple>> candidates;
    json windowJson;
    if (windowMil) {
        std::vector<Sample> breasts;
        std::copy_if(train.begin(), train.end(), std::back_inserter(breasts),
                     [](const Sample& s) { return s.kind == SampleKind::WholeBreast; });
        const auto miningStart = Clock::now();
        candidates = windowCandidates(model, fold, breasts, std::move(savedWindows));
        outcome.windowSeconds += seconds(miningStart);
        windowJson = json::array();
        for (const auto& [breast, origins] : candidates) {
            json list = json::array();
            for (const auto& o : origins) {
                list.push_back({o[0], o[1], o[2]});
            }
            windowJson.push_back({{"breast", breast}, {"origins", list}});
        }
    }

    auto stateJson = [&](bool finished) {
        json j = meta;
        j["fold"] = fold;
        if (config_.ensemble > 1) {
            j["member"] = member_;
        }
        j["stage"] = stage;
        j["epochs_done"] = outcome.epochsDone;
        j["best_epoch"] = outcome.bestEpoch;
        j["best_auroc"] = number(outcome.bestAuroc);
        j["best_loss"] = number(outcome.bestLoss);
        j["since_best"] = sinceBest;
        j["stopped_early"] = outcome.stoppedEarly;
        j["finished"] = finished;
        j["history"] = history;
        if (!windowJson.is_null()) {
            j["window_candidates"] = windowJson;
        }
        if (hard) {
            j["sample_losses"] = lastLoss;
        }
        return j;
    };

    // Checkpoints (TrainingConfig::checkpointSeconds): the epoch that is the best so far
    // while no write is due is kept in memory (pendingBest, unless every epoch is the best).
    auto lastWrite = Clock::now();
    {
        std::lock_guard lock(shared_->mutex);
        shared_->progress.start(seconds(shared_->origin));
    }
    const bool everyEpochBest = validation.empty() || config_.selection == SelectionMetric::Last;
    // Validation that only watches (TrainingConfig::validationInterval).
    const int validationInterval =
        config_.selection == SelectionMetric::Last && settings.patience == 0
            ? config_.validationInterval
            : 1;
    bool bestUnwritten = false;
    std::vector<torch::Tensor> pendingBest;
    json bestMeta;

    const auto trainOptions = itemOptions(true);
    const bool autocast = config_.bf16 && device_.is_cpu();
    std::vector<std::size_t> drawn;  // with hard examples: the samples the epoch drew
    for (int epoch = outcome.epochsDone; epoch < settings.epochs; ++epoch) {
        const auto epochStart = Clock::now();
        for (auto& group : optimizer.param_groups()) {
            static_cast<torch::optim::AdamOptions&>(group.options())
                .lr(learningRateAt(config_.schedule, settings, epoch));
        }
        const auto orderSeed =
            itemSeed(memberSeed(), static_cast<std::uint64_t>(fold),
                     static_cast<std::uint64_t>(stage), static_cast<std::uint64_t>(epoch));
        std::vector<Sample> order;
        if (hard) {
            drawn = weightedOrder(lastLoss, config_.hardExamples, train.size(), orderSeed);
            for (const auto i : drawn) {
                order.push_back(train[i]);
            }
        } else {
            order = epochOrder(train, config_.classBalanced, orderSeed);
        }
        double windowSeconds = 0.0;
        if (windowMil) {
            // Each breast's most malignant candidate under the current weights, as a patch.
            const auto choiceStart = Clock::now();
            model->eval();
            std::map<std::size_t, Triple> chosen;
            for (auto& sample : order) {
                if (sample.kind != SampleKind::WholeBreast) {
                    continue;  // a Stage 1 patch (TrainingConfig::stage2Rehearsal)
                }
                if (cancelled()) {
                    throw IoError(ErrorCode::Cancelled, folder, "training cancelled");
                }
                auto it = chosen.find(sample.breast);
                if (it == chosen.end()) {
                    it = chosen
                             .emplace(sample.breast,
                                      mostMalignantOf(model, cohort_->load(sample.breast),
                                                      candidates.at(sample.breast),
                                                      config_.patchSize, device_, config_.bf16))
                             .first;
                }
                sample.kind = SampleKind::WindowPatch;
                sample.origin = it->second;
            }
            windowSeconds = seconds(choiceStart);
        }
        // Batch norm cannot train on a last batch of one sample: leave that sample out of this
        // epoch (the order is reshuffled every epoch, so it is a different one each time).
        const auto batchSize = static_cast<std::size_t>(config_.batchSize);
        if (config_.network.norm == NormKind::Batch && batchSize > 1 && order.size() > 1 &&
            order.size() % batchSize == 1) {
            order.pop_back();
            if (hard) {
                drawn.pop_back();
            }
        }
        const std::uint64_t epochSeed =
            itemSeed(memberSeed() ^ 0xa5a5a5a5ull, static_cast<std::uint64_t>(fold),
                     static_cast<std::uint64_t>(stage), static_cast<std::uint64_t>(epoch));
        BatchLoader loader(order.size(), config_.batchSize, loaderThreads_, [&](std::size_t i) {
            return makeItem(*cohort_, order[i], trainOptions, itemSeed(epochSeed, i));
        });
        // Stage 2's lesion-supervised cells (TrainingConfig::cellLoss).
        const bool cellLoss = stage == 2 && config_.cellLoss > 0;
        model->train();
        if (stage == 2 && config_.mode == TrainingMode::Curriculum &&
            config_.stage2FrozenBatchNorm) {
            // Keep Stage 1's batch statistics: a batch of a few breasts (mostly lesion-free
            // windows) would renormalise the features the Stage 1 head was trained on.
            for (auto& m : model->modules(/*include_self=*/false)) {
                if (m->as<torch::nn::BatchNorm3dImpl>() != nullptr) {
                    m->eval();
                }
            }
        }
        double lossSum = 0.0;
        std::int64_t seen = 0;
        double compute = 0.0;
        std::int64_t batchIndex = 0;
        while (true) {
            if (cancelled()) {
                throw IoError(ErrorCode::Cancelled, folder, "training cancelled");
            }
            auto batch = loader.next();
            if (!batch) {
                break;
            }
            const auto computeStart = Clock::now();
            const auto x = batch->inputs.to(device_);
            const auto y = batch->targets.to(device_);
            clearGradients(optimizer);
            torch::Tensor logits, cells;
            {
                CpuAutocast guard(autocast);
                if (cellLoss) {
                    const auto features = model->features(x);
                    logits = model->classify(features);
                    cells = model->cellLogits(features);
                } else {
                    logits = model->forward(x);
                }
            }
            auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y);
            if (hard) {
                const auto each =
                    torch::nn::functional::cross_entropy(
                        logits.to(torch::kFloat32).detach(), y,
                        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                        .to(torch::kCPU)
                        .contiguous();
                const auto first = static_cast<std::size_t>(batchIndex) * batchSize;
                for (std::int64_t i = 0; i < each.size(0); ++i) {
                    lastLoss[drawn[first + static_cast<std::size_t>(i)]] = each[i].item<double>();
                }
            }
            if (cellLoss) {
                // The lesion annotations per cell, for the items of this batch as makeItem
                // augmented them (cellTargets).
                std::vector<torch::Tensor> targets;
                const auto first = static_cast<std::size_t>(batchIndex) * batchSize;
                for (std::size_t i = first; i < first + static_cast<std::size_t>(x.size(0)); ++i) {
                    const auto& b = cohort_->breasts().at(order[i].breast);
                    targets.push_back(cellTargets(
                        b.lesions, {b.shape[1], b.shape[2], b.shape[3]}, model->cellSize(),
                        wholeBreastDraw(trainOptions, itemSeed(epochSeed, i))));
                }
                const auto t = torch::stack(targets).to(device_);
                TORCH_CHECK(t.size(1) == cells.size(2), "cell targets do not match the cells");
                loss =
                    loss +
                    config_.cellLoss *
                        torch::nn::functional::cross_entropy(
                            cells.to(torch::kFloat32).transpose(1, 2).reshape({-1, cells.size(1)}),
                            t.flatten());
            }
            loss.backward();
            optimizer.step();
            const double l = loss.item<double>();
            compute += seconds(computeStart);
            lossSum += l * static_cast<double>(x.size(0));
            seen += x.size(0);
            if (observer_ != nullptr) {
                std::lock_guard lock(shared_->mutex);
                auto& sh = *shared_;
                TrainingProgress p;
                p.fold = fold;
                p.folds = sh.folds;
                p.member = member_;
                p.members = config_.ensemble;
                p.stage = stage;
                p.epoch = epoch;
                p.epochs = settings.epochs;
                p.batch = batchIndex;
                p.batches = static_cast<std::int64_t>(loader.batches());
                p.trainLoss = lossSum / static_cast<double>(seen);
                const double within =
                    static_cast<double>(batchIndex + 1) /
                    static_cast<double>(std::max<std::size_t>(1, loader.batches()));
                // Every member's epoch under way counts (members on parallel threads); each
                // stage's epochs at their own cost (RunProgress).
                sh.progress.partial(member_, stage, within, seconds(epochStart));
                const auto estimate = sh.progress.estimate(seconds(sh.origin));
                p.fraction = estimate.fraction;
                p.etaSeconds = estimate.etaSeconds;
                observer_->batchDone(p);
            }
            ++batchIndex;
        }
        const bool validateNow =
            (epoch + 1) % validationInterval == 0 || epoch + 1 == settings.epochs;
        EvaluationResult val;
        val.loss = val.auroc = std::numeric_limits<double>::quiet_NaN();
        double validationSeconds = 0.0;
        if (validateNow) {
            const auto validationStart = Clock::now();
            val = evaluate(model, validation, stage);
            validationSeconds = seconds(validationStart);
        }
        EpochSummary summary;
        summary.fold = fold;
        summary.member = member_;
        summary.stage = stage;
        summary.epoch = epoch;
        summary.trainLoss = seen > 0 ? lossSum / static_cast<double>(seen) : 0.0;
        summary.validationLoss = val.loss;
        summary.validationAuroc = val.auroc;
        // Without a validation set the last epoch is the selected one.
        summary.improved =
            validation.empty() || better(config_.selection, val.auroc, val.loss, outcome.bestAuroc,
                                         outcome.bestLoss, haveBest);
        summary.dataWaitSeconds = loader.waitSeconds();
        summary.computeSeconds = compute;
        summary.windowSeconds = windowSeconds;
        summary.validationSeconds = validationSeconds;
        outcome.dataWaitSeconds += summary.dataWaitSeconds;
        outcome.computeSeconds += compute;
        outcome.windowSeconds += windowSeconds;
        outcome.validationSeconds += validationSeconds;
        outcome.epochsDone = epoch + 1;
        if (summary.improved) {
            haveBest = true;
            outcome.bestEpoch = epoch;
            outcome.bestAuroc = val.auroc;
            outcome.bestLoss = val.loss;
            sinceBest = 0;
        } else {
            ++sinceBest;
        }
        summary.seconds = seconds(epochStart);
        history.push_back(epochJson(summary));
        const bool stop =
            settings.patience > 0 && sinceBest >= settings.patience && epoch + 1 < settings.epochs;
        outcome.stoppedEarly = stop;
        const bool finished = stop || epoch + 1 == settings.epochs;
        const bool due = finished || config_.checkpointSeconds <= 0 ||
                         seconds(lastWrite) >= config_.checkpointSeconds;
        if (summary.improved) {
            bestMeta = stateJson(false);
            bestUnwritten = true;
            // Where every epoch is the best, the best at the next write is the model itself.
            pendingBest = due || everyEpochBest ? std::vector<torch::Tensor>{} : copyState(model);
        }
        if (due) {
            if (bestUnwritten) {
                saveWeights(bestFile, model, pendingBest, bestMeta);
                bestUnwritten = false;
                pendingBest.clear();
            }
            saveCheckpoint(lastFile, model, &optimizer, stateJson(finished));
            lastWrite = Clock::now();
        }
        {
            std::lock_guard lock(shared_->mutex);
            shared_->progress.epochDone(member_, stage, summary.seconds);
            if (observer_ != nullptr) {
                observer_->epochDone(summary);
            }
        }
        char validated[96] = ", no validation set";
        if (!validation.empty()) {
            if (validateNow) {
                std::snprintf(validated, sizeof validated, ", val loss %.4f, val AUROC %.4f%s",
                              val.loss, val.auroc, summary.improved ? " *" : "");
            } else {
                validated[0] = '\0';
            }
        }
        // In the order of the stage's and the run's time lines (TrainingRun).
        char windows[48] = "";
        if (windowMil) {
            std::snprintf(windows, sizeof windows, "choosing windows %.1f s, ", windowSeconds);
        }
        char line[320];
        std::snprintf(line, sizeof line,
                      "%s epoch %d/%d: train loss %.4f%s, %.1f s (data wait %.2f s, compute "
                      "%.1f s, %svalidation %.1f s)",
                      where(fold, stage).c_str(), epoch + 1, settings.epochs, summary.trainLoss,
                      validated, summary.seconds, summary.dataWaitSeconds, compute, windows,
                      validationSeconds);
        note(line);
        if (stop) {
            note("early stop: no better validation score for " + std::to_string(settings.patience) +
                 " epochs");
            skipEpochs(stage, settings.epochs - epoch - 1);
            break;
        }
    }
    if (settings.epochs == 0 || !haveBest) {
        // Nothing trained: the given weights are the selected ones.
        saveCheckpoint(bestFile, model, nullptr, stateJson(true));
        saveCheckpoint(lastFile, model, &optimizer, stateJson(true));
    } else {
        loadCheckpoint(bestFile, model, nullptr, device_);
    }
    return outcome;
}

}  // namespace bmsc::ml
