#pragma once
// Private: DICOM image frames grouped into series, as the scanner finds them.

#include "DicomSlice.h"

#include "breastmsc/io/Progress.h"

#include <filesystem>
#include <string>
#include <vector>

namespace bmsc::io::detail {

struct DicomSeries {
    std::string uid;
    std::string number;
    std::string description;
    std::string modality;
    std::vector<DicomSlice> slices;  ///< every frame of every file, in file-name order
    std::vector<std::filesystem::path> files;
    int temporalPositions = 1;  ///< most frames found at one slice position
};

/// Every DICOM image under `folder` (any nesting), grouped by SeriesInstanceUID and sorted by
/// SeriesNumber. Throws NotFound for a missing folder and NotReadable when it holds no image.
std::vector<DicomSeries> scanDicomSeries(const std::filesystem::path& folder, Progress* progress);

/// Groups frames that lie at the same position (within 0.01 mm), sorted along the slice
/// normal; each group keeps the frames' original order.
std::vector<std::vector<const DicomSlice*>> groupByPosition(const std::vector<DicomSlice>& slices);

}  // namespace bmsc::io::detail
