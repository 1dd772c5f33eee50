#pragma once

#include "breastmsc/ml/ResNet3d.h"

#include <torch/optim/optimizer.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace bmsc::ml {

/// A training checkpoint (torch::serialize archive): the model's weights, the optimiser's
/// state (when given) and a JSON document with everything else — fold, stage, epochs done,
/// the config, the cohort's content hash, the metrics so far. Written atomically (temporary
/// file + rename), so a run killed at any moment leaves the previous checkpoint intact.
void saveCheckpoint(const std::filesystem::path& file, BreastClassifier& model,
                    torch::optim::Optimizer* optimizer, const nlohmann::json& meta);

/// Loads weights (and the optimiser state, when given) into existing objects of the same
/// architecture and returns the JSON document. Throws io::IoError naming the file: NotFound,
/// or Corrupt for a truncated/foreign file or one that does not fit the model.
nlohmann::json loadCheckpoint(const std::filesystem::path& file, BreastClassifier& model,
                              torch::optim::Optimizer* optimizer = nullptr,
                              const torch::Device& device = torch::kCPU);

/// Only the JSON document of a checkpoint.
nlohmann::json readCheckpointMeta(const std::filesystem::path& file);

}  // namespace bmsc::ml
