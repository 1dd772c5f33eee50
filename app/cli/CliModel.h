#pragma once

#include "breastmsc/ml/Inference.h"
#include "breastmsc/ml/TrainingRun.h"

#include <cstdio>
#include <string>

namespace bmsc::cli {

/// The model of `--model` (a training run or one checkpoint) for `predict` and `cam`: `fold`
/// counted from 1 (0: every finished fold), `--device`, `--threads`; prints the model's notes
/// (which folds were loaded) unless `quiet`. `precision`: "run" (the run's bf16 setting),
/// "fp32" or "bf16".
inline ml::InferenceModel loadCliModel(const std::string& model, int fold,
                                       const std::string& device, int threads, bool quiet,
                                       const std::string& precision = "run") {
    ml::InferenceOptions options;
    options.precision = precision == "fp32"   ? ml::Precision::Fp32
                        : precision == "bf16" ? ml::Precision::Bf16
                                              : ml::Precision::Run;
    options.fold = fold - 1;
    options.device = ml::parseDevice(device);
    options.threads = threads;
    auto loaded = ml::InferenceModel::load(model, options);
    if (!quiet) {
        for (const auto& n : loaded.notes()) {
            std::printf("%s\n", n.c_str());
        }
        std::fflush(stdout);
    }
    return loaded;
}

}  // namespace bmsc::cli
