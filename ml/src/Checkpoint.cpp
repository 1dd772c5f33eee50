#include "breastmsc/ml/Checkpoint.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"

#include <torch/serialize.h>
#include <torch/torch.h>

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;

namespace {

constexpr const char* kMetaKey = "breastmsc_meta";

torch::serialize::InputArchive openArchive(const fs::path& file, const torch::Device& device) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        throw IoError(ErrorCode::NotFound, file, "checkpoint not found");
    }
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(file.string(), device);
    } catch (const std::exception& e) {
        throw IoError(ErrorCode::Corrupt, file,
                      "not a readable checkpoint (truncated or not written by breastmsc)");
    }
    return archive;
}

nlohmann::json readMeta(torch::serialize::InputArchive& archive, const fs::path& file) {
    try {
        c10::IValue value;
        archive.read(kMetaKey, value);
        return nlohmann::json::parse(value.toStringRef());
    } catch (const std::exception& e) {
        throw IoError(ErrorCode::Corrupt, file, "checkpoint has no valid breastmsc metadata");
    }
}

}  // namespace

void saveCheckpoint(const fs::path& file, BreastClassifier& model,
                    torch::optim::Optimizer* optimizer, const nlohmann::json& meta) {
    torch::serialize::OutputArchive archive;
    model->save(archive);
    if (optimizer != nullptr) {
        torch::serialize::OutputArchive optimizerArchive;
        optimizer->save(optimizerArchive);
        archive.write("optimizer", optimizerArchive);
    }
    archive.write(kMetaKey, c10::IValue(meta.dump()));
    io::writePathAtomically(file,
                            [&archive](const fs::path& tmp) { archive.save_to(tmp.string()); });
}

nlohmann::json loadCheckpoint(const fs::path& file, BreastClassifier& model,
                              torch::optim::Optimizer* optimizer, const torch::Device& device) {
    auto archive = openArchive(file, device);
    auto meta = readMeta(archive, file);
    try {
        model->load(archive);
        if (optimizer != nullptr) {
            torch::serialize::InputArchive optimizerArchive;
            archive.read("optimizer", optimizerArchive);
            optimizer->load(optimizerArchive);
        }
    } catch (const std::exception& e) {
        throw IoError(ErrorCode::Corrupt, file,
                      "checkpoint does not fit this network (another width, depth or head?)");
    }
    return meta;
}

nlohmann::json readCheckpointMeta(const fs::path& file) {
    auto archive = openArchive(file, torch::kCPU);
    return readMeta(archive, file);
}

}  // namespace bmsc::ml
