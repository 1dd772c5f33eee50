#pragma once
// The preprocessing transform as a small JSON file (preprocess.json), so that breast-grid
// results (CAM heat maps, masks) can be mapped back onto the study and the intensity
// normalisation undone without running the preprocessing again.

#include "breastmsc/io/Preprocess.h"

#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::io {

/// The JSON text of a transform (and the report lines of the run, kept for people).
std::string preprocessRecordJson(const PreprocessTransform& transform,
                                 const std::vector<std::string>& report = {});
/// Writes it atomically.
void writePreprocessRecord(const PreprocessTransform& transform,
                           const std::vector<std::string>& report,
                           const std::filesystem::path& file);
/// Reads it back; NotFound / NotReadable / Corrupt name the file.
PreprocessTransform readPreprocessRecord(const std::filesystem::path& file);

}  // namespace bmsc::io
