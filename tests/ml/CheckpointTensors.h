#pragma once
// The tensors of a saved checkpoint, for tests that compare what two runs trained.

#include "breastmsc/ml/Checkpoint.h"
#include "breastmsc/ml/ResNet3d.h"
#include "breastmsc/ml/TrainingConfig.h"

#include <torch/torch.h>

#include <filesystem>
#include <vector>

namespace bmsc::test {

/// The parameters (or, with `buffers`, the batch statistics) of a checkpoint's network.
inline std::vector<torch::Tensor> tensorsOf(const std::filesystem::path& checkpoint,
                                            const ml::TrainingConfig& c, bool buffers) {
    ml::BreastClassifier model(c.network, ml::HeadKind::WholeBreast);
    ml::loadCheckpoint(checkpoint, model);
    std::vector<torch::Tensor> out;
    for (const auto& t : buffers ? model->buffers() : model->parameters()) {
        out.push_back(t.detach().clone());
    }
    return out;
}

inline std::vector<torch::Tensor> weights(const std::filesystem::path& checkpoint,
                                          const ml::TrainingConfig& c) {
    return tensorsOf(checkpoint, c, false);
}

inline std::vector<torch::Tensor> batchStatistics(const std::filesystem::path& checkpoint,
                                                  const ml::TrainingConfig& c) {
    return tensorsOf(checkpoint, c, true);
}

inline bool sameWeights(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!torch::equal(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace bmsc::test
