#pragma once

#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"

#include <filesystem>
#include <string>

namespace bmsc::io {

/// Choices a user can force when the automatic DICOM series assignment is wrong.
struct StudyReadOptions {
    /// SeriesInstanceUID (or SeriesNumber as text) of the T2 series; empty: automatic.
    std::string t2Series;
    /// SeriesInstanceUIDs (or SeriesNumbers) of pre, post1…post4, comma separated; empty: auto.
    std::string dynamicSeries;
};

enum class StudyKind { ImageFiles, Dicom, Unknown };

/// What a folder holds: six channel image files, DICOM files, or neither.
StudyKind detectStudyKind(const std::filesystem::path& folder);

/// Reads a study folder of either kind (COHORT-FORMAT.md, "The study folder").
Study readStudy(const std::filesystem::path& folder, const StudyReadOptions& options = {},
                Progress* progress = nullptr);

}  // namespace bmsc::io
