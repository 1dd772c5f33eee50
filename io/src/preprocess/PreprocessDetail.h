#pragma once
// Private pieces of the preprocessing, split by responsibility. Not installed.

#include "breastmsc/io/Preprocess.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bmsc::io::detail {

using CanonicalChannels = std::array<Volume, kChannelCount>;

/// The p-th percentile (0–100) of `values` (reordered in place); NaN if empty.
double percentileInPlace(std::vector<float>& values, double p);

/// Body outline, skin, chest wall and heart on the canonical grid, and where the crop goes.
struct BodyAnalysis {
    std::vector<std::uint8_t> body;  ///< canonical grid, 1 inside the body
    CropPlacement placement;
    std::vector<std::string> report;
};

/// Throws IoError(InvalidValue, studyName) when no body can be told apart from the background.
BodyAnalysis analyseBody(const CanonicalChannels& channels, const PreprocessOptions& options,
                         const std::string& studyName);

/// One offset/scale for the five dynamic channels, one for T2, from the body voxels inside the
/// crop rows [firstRow, firstRow + rows).
IntensityNormalisation estimateNormalisation(const CanonicalChannels& channels,
                                             const std::vector<std::uint8_t>& body,
                                             std::int64_t firstRow, std::int64_t rows,
                                             double percentile, const std::string& studyName);

}  // namespace bmsc::io::detail
