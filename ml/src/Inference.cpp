#include "breastmsc/ml/Inference.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/ml/Checkpoint.h"
#include "breastmsc/ml/ClassActivationMap.h"
#include "breastmsc/ml/TensorConversion.h"
#include "breastmsc/ml/Trainer.h"
#include "breastmsc/ml/TrainingRun.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;
using nlohmann::json;

namespace {

/// What InferenceOptions override of the run's config: the arithmetic, the test augmentation.
void applyOptions(TrainingConfig& config, const InferenceOptions& options) {
    if (options.precision != Precision::Run) {
        config.bf16 = options.precision == Precision::Bf16;
    }
    if (options.testAugmentation) {
        config.testAugmentation = *options.testAugmentation;
    }
}

constexpr const char* kStage1Only =
    "a Stage 1 (patch) model classifies 64x64x4 patches, not breasts; predict and cam need a "
    "whole-breast model (a curriculum or naive run, or a stage2 checkpoint)";

std::size_t sideIndex(io::Side side) {
    return side == io::Side::Left ? 0 : 1;
}

/// Ensemble member `member` (0-based) of a run trained with `config`: its own input
/// (TrainingConfig::ensembleInputs).
BreastClassifier loadNetwork(const fs::path& file, const TrainingConfig& config, int member,
                             const torch::Device& device) {
    BreastClassifier net(config.memberNetwork(member), HeadKind::WholeBreast);
    loadCheckpoint(file, net, nullptr, torch::kCPU);
    net->to(device);
    net->eval();
    return net;
}

/// RUN/folds.json: [{train, validation, test}, ...] with patient ids.
json readFolds(const fs::path& file) {
    std::ifstream in(file);
    if (!in) {
        return json();
    }
    try {
        json j;
        in >> j;
        if (!j.is_array()) {
            throw IoError(ErrorCode::Corrupt, file, "expected an array of folds");
        }
        return j;
    } catch (const json::exception& e) {
        throw IoError(ErrorCode::Corrupt, file, std::string("not valid JSON: ") + e.what());
    }
}

torch::Tensor inputOf(const io::BreastImage& breast, const torch::Device& device) {
    return toTensor(std::span<const io::Volume>(breast.channels)).unsqueeze(0).to(device);
}

}  // namespace

InferenceModel InferenceModel::load(const fs::path& path, const InferenceOptions& options) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        throw IoError(ErrorCode::NotFound, path,
                      "no such model: expected a training run folder or a checkpoint file");
    }
    if (options.threads > 0) {
        torch::set_num_threads(options.threads);
    }
    InferenceModel m;
    m.source_ = path;
    m.device_ = options.device;
    if (!fs::is_directory(path, ec)) {
        const auto meta = readCheckpointMeta(path);
        if (!meta.contains("config") || !meta["config"].is_object()) {
            throw IoError(ErrorCode::Corrupt, path, "checkpoint metadata holds no training config");
        }
        m.config_ = TrainingConfig::fromRecord(meta["config"], path);
        applyOptions(m.config_, options);
        if (meta.value("stage", 2) != 2 || m.config_.mode == TrainingMode::Stage1) {
            throw IoError(ErrorCode::Unsupported, path, kStage1Only);
        }
        LoadedModel model;
        model.checkpoint = path;
        model.fold = meta.contains("fold") && meta["fold"].is_number_integer()
                         ? meta["fold"].get<int>()
                         : -1;
        // An ensemble member's checkpoint names its member (0-based); a single network's none.
        const int member = meta.contains("member") && meta["member"].is_number_integer()
                               ? meta["member"].get<int>()
                               : 0;
        if (member < 0 || member >= m.config_.ensemble) {
            throw IoError(ErrorCode::Corrupt, path,
                          "checkpoint of ensemble member " + std::to_string(member + 1) +
                              " of a run of " + std::to_string(m.config_.ensemble));
        }
        model.networks.push_back(loadNetwork(path, m.config_, member, m.device_));
        m.models_.push_back(std::move(model));
        m.notes_.push_back("checkpoint " + path.string());
        return m;
    }

    m.isRun_ = true;
    m.config_ = loadRunConfig(path);
    applyOptions(m.config_, options);
    if (m.config_.mode == TrainingMode::Stage1) {
        throw IoError(ErrorCode::Unsupported, path / "config.json", kStage1Only);
    }
    if (options.fold >= m.config_.folds) {
        throw IoError(ErrorCode::InvalidArgument, path,
                      "fold " + std::to_string(options.fold + 1) + " does not exist (the run has " +
                          std::to_string(m.config_.folds) + " folds)");
    }
    const auto folds = readFolds(path / "folds.json");
    for (std::size_t k = 0; k < folds.size(); ++k) {
        const auto& f = folds[k];
        try {
            for (const auto& id : f.at("test")) {
                m.testFold_[id.get<std::string>()] = static_cast<int>(k);
            }
            for (const char* part : {"train", "validation"}) {
                for (const auto& id : f.at(part)) {
                    m.trainingFolds_[id.get<std::string>()].push_back(static_cast<int>(k));
                }
            }
        } catch (const json::exception& e) {
            throw IoError(ErrorCode::Corrupt, path / "folds.json",
                          "fold " + std::to_string(k + 1) + ": " + e.what());
        }
    }
    for (int k = 0; k < m.config_.folds; ++k) {
        if (options.fold >= 0 && k != options.fold) {
            continue;
        }
        const auto folder = path / ("fold" + std::to_string(k + 1));
        const auto checkpoint = folder / "stage2_best.pt";
        const std::string name = "fold " + std::to_string(k + 1);
        if (!fs::exists(checkpoint, ec)) {
            if (options.fold == k) {
                throw IoError(ErrorCode::NotFound, checkpoint,
                              name + " has no Stage 2 checkpoint yet (not trained?)");
            }
            continue;
        }
        if (!fs::exists(folder / "fold.json", ec)) {
            if (options.fold != k) {
                m.notes_.push_back(name + " is unfinished; left out (select it with its fold)");
                continue;
            }
            m.notes_.push_back(name + " is unfinished; using its best checkpoint so far");
        }
        LoadedModel model;
        model.checkpoint = checkpoint;
        model.fold = k;
        model.networks.push_back(loadNetwork(checkpoint, m.config_, 0, m.device_));
        for (int member = 1; member < m.config_.ensemble; ++member) {
            const auto file = folder / ("member" + std::to_string(member + 1)) / "stage2_best.pt";
            if (!fs::exists(file, ec)) {
                throw IoError(ErrorCode::NotFound, file,
                              name + ": ensemble member " + std::to_string(member + 1) + " of " +
                                  std::to_string(m.config_.ensemble) +
                                  " has no Stage 2 checkpoint");
            }
            model.networks.push_back(loadNetwork(file, m.config_, member, m.device_));
        }
        m.models_.push_back(std::move(model));
    }
    if (m.models_.empty()) {
        throw IoError(ErrorCode::NotFound, path,
                      "the run has no finished fold with a Stage 2 checkpoint (stage2_best.pt)");
    }
    std::string used;
    for (const auto& model : m.models_) {
        used += (used.empty() ? "" : ", ") + std::to_string(model.fold + 1);
    }
    m.notes_.push_back("run " + path.string() + ": fold" + (m.models_.size() > 1 ? "s " : " ") +
                       used);
    return m;
}

std::optional<std::size_t> InferenceModel::modelForTestPatient(const std::string& id) const {
    const auto it = testFold_.find(id);
    if (it == testFold_.end()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < models_.size(); ++i) {
        if (models_[i].fold == it->second) {
            return i;
        }
    }
    return std::nullopt;
}

bool InferenceModel::seenInTraining(const std::string& id, std::optional<std::size_t> model) const {
    const auto it = trainingFolds_.find(id);
    if (it == trainingFolds_.end()) {
        return false;
    }
    for (const auto i : selected(model)) {
        if (std::find(it->second.begin(), it->second.end(), models_[i].fold) != it->second.end()) {
            return true;
        }
    }
    return false;
}

InferenceModel::Choice InferenceModel::choose(const std::string& id, bool outOfFold) const {
    Choice c;
    if (outOfFold) {
        c.model = modelForTestPatient(id);
    }
    if (c.model) {
        c.name = "fold" + std::to_string(models_[*c.model].fold + 1);
    } else if (!isRun_) {
        c.name = "checkpoint";
    } else if (models_.size() == 1) {
        c.name = "fold" + std::to_string(models_.front().fold + 1);
    } else {
        c.name = "ensemble of " + std::to_string(models_.size()) + " folds";
    }
    c.seenInTraining = seenInTraining(id, c.model);
    return c;
}

std::vector<std::size_t> InferenceModel::selected(std::optional<std::size_t> model) const {
    if (model) {
        if (*model >= models_.size()) {
            throw IoError(ErrorCode::InvalidArgument, source_, "no such model in the run");
        }
        return {*model};
    }
    std::vector<std::size_t> all(models_.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = i;
    }
    return all;
}

io::PreprocessResult InferenceModel::preprocess(const io::Study& study) const {
    return io::preprocess(study, config_.preprocess, nullptr);
}

BreastPrediction InferenceModel::predictBreast(const torch::Tensor& breast,
                                               std::optional<std::size_t> model) {
    TORCH_CHECK(breast.dim() == 4, "a breast tensor is (C, X, Y, Z)");
    torch::NoGradGuard noGrad;
    const auto input = breast.unsqueeze(0).to(device_, torch::kFloat32);
    BreastPrediction p;
    double sum = 0.0;
    for (const auto i : selected(model)) {
        // As Trainer::evaluate (and a fold's ensemble in training), so that a run's
        // predictions are reproduced.
        double prob = 0.0;
        for (auto& net : models_[i].networks) {
            net->eval();
            prob += classLogProbabilities(net, input, config_.testAugmentation, config_.bf16)[0][1]
                        .exp()
                        .item<double>();
        }
        prob /= static_cast<double>(models_[i].networks.size());
        p.modelProbabilities.push_back(prob);
        sum += prob;
    }
    p.probability = sum / static_cast<double>(p.modelProbabilities.size());
    return p;
}

StudyPrediction InferenceModel::predict(const io::Study& study, std::optional<std::size_t> model) {
    return predict(preprocess(study), model);
}

StudyPrediction InferenceModel::predict(const io::PreprocessResult& pre,
                                        std::optional<std::size_t> model) {
    StudyPrediction result;
    for (const auto side : {io::Side::Left, io::Side::Right}) {
        auto& b = result.breasts[sideIndex(side)];
        b = predictBreast(toTensor(std::span<const io::Volume>(pre.breast(side).channels)), model);
        b.side = side;
    }
    return result;
}

BreastCam InferenceModel::breastCam(const io::PreprocessResult& pre, io::Side side,
                                    const std::vector<std::size_t>& models) {
    const auto& image = pre.breast(side);
    const auto input = inputOf(image, device_);
    torch::Tensor fine, coarse;
    double probability = 0.0;
    // With the mirror test augmentation, the maps of the mirrored breast are flipped back and
    // averaged in, as predict averages the two probabilities.
    const bool mirror = config_.testAugmentation == TestAugmentation::Mirror;
    std::size_t passes = 0;
    for (const auto i : models) {
        for (auto& network : models_[i].networks) {
            for (const bool flipped : {false, true}) {
                if (flipped && !mirror) {
                    continue;
                }
                ++passes;
                const auto map = classActivationMap(
                    network, flipped ? input.flip({2}) : input, 1,
                    denseCamStride(network->options(),
                                   {input.size(2), input.size(3), input.size(4)}));
                auto f = map.map.to(torch::kCPU, torch::kFloat32);
                auto c = map.coarse.to(torch::kCPU, torch::kFloat32);
                if (flipped) {
                    f = f.flip({0});
                    c = c.flip({0});
                }
                fine = fine.defined() ? fine + f : f;
                coarse = coarse.defined() ? coarse + c : c;
                probability += map.malignancy;
            }
        }
    }
    const auto n = static_cast<double>(passes);
    fine = (fine / n).contiguous();
    coarse = (coarse / n).contiguous();

    BreastCam cam;
    cam.side = side;
    cam.probability = probability / n;
    cam.breastMap = toVolume(fine, image.geometry);
    const auto& g = image.geometry;
    const auto flat = fine.argmax().item<std::int64_t>();
    cam.maximumIndex = {flat / (fine.size(1) * fine.size(2)), (flat / fine.size(2)) % fine.size(1),
                        flat % fine.size(2)};
    cam.maximum = fine.flatten()[flat].item<float>();
    // Trilinear upsampling with clamped borders makes a maximum in a border cell a plateau;
    // argmax finds its first voxel. Take the plateau's middle along each axis instead.
    {
        const auto a = fine.accessor<float, 3>();
        const float tolerance = 1e-6f * std::max(1.0f, std::abs(cam.maximum));
        for (std::size_t axis = 0; axis < 3; ++axis) {
            auto probe = cam.maximumIndex;
            std::int64_t end = probe[axis];
            while (end + 1 < fine.size(static_cast<std::int64_t>(axis))) {
                probe[axis] = end + 1;
                if (a[probe[0]][probe[1]][probe[2]] < cam.maximum - tolerance) {
                    break;
                }
                end = probe[axis];
            }
            cam.maximumIndex[axis] = (cam.maximumIndex[axis] + end) / 2;
        }
    }
    cam.maximumMm = g.indexToPhysical({static_cast<double>(cam.maximumIndex[0]),
                                       static_cast<double>(cam.maximumIndex[1]),
                                       static_cast<double>(cam.maximumIndex[2])});
    // The coarse argmax cell's centre on the breast grid (trilinear, align_corners = false:
    // cell c covers fine indices [c·f, (c+1)·f), its centre is (c + ½)·f − ½).
    const auto cflat = coarse.argmax().item<std::int64_t>();
    const std::array<std::int64_t, 3> cidx{cflat / (coarse.size(1) * coarse.size(2)),
                                           (cflat / coarse.size(2)) % coarse.size(1),
                                           cflat % coarse.size(2)};
    io::Vec3 centre{};
    for (int a = 0; a < 3; ++a) {
        const double f = static_cast<double>(fine.size(a)) / static_cast<double>(coarse.size(a));
        centre[static_cast<std::size_t>(a)] =
            (static_cast<double>(cidx[static_cast<std::size_t>(a)]) + 0.5) * f - 0.5;
    }
    cam.coarseMaximumMm = g.indexToPhysical(centre);
    cam.studyMap = io::mapToStudy(cam.breastMap, side, pre.transform);
    return cam;
}

StudyCam InferenceModel::cam(const io::Study& study, std::optional<std::size_t> model) {
    return cam(preprocess(study), model);
}

StudyCam InferenceModel::cam(const io::PreprocessResult& pre, std::optional<std::size_t> model) {
    const auto models = selected(model);
    StudyCam result;
    result.transform = pre.transform;
    for (const auto side : {io::Side::Left, io::Side::Right}) {
        result.breasts[sideIndex(side)] = breastCam(pre, side, models);
    }
    result.studyMap =
        io::mapBreastsToStudy(result.breast(io::Side::Left).breastMap,
                              result.breast(io::Side::Right).breastMap, pre.transform);
    return result;
}

}  // namespace bmsc::ml
