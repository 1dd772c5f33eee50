#pragma once

#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"
#include "breastmsc/io/Volume.h"

#include <filesystem>
#include <vector>

namespace bmsc::io {

/// Limits that protect against files whose headers claim absurd sizes.
struct ImageLimits {
    std::int64_t maxVoxels = std::int64_t{1} << 31;  ///< per 3D volume (8 GiB as float)
    std::int64_t maxDimension = 16384;
};

/// Reads a 3D image in any format ITK reads here (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd)
/// as float, geometry in LPS; a DICOM image file (any other name) goes to readDicomVolume, whose
/// header checks hold it to the default limits, not to `limits`. A 4D file is rejected (use
/// readImageSeries). NaN/Inf voxels are rejected with InvalidValue.
Volume readImage(const std::filesystem::path& file, const ImageLimits& limits = {});

/// Reads a 3D or 4D image as a list of 3D volumes (one per time point).
std::vector<Volume> readImageSeries(const std::filesystem::path& file,
                                    const ImageLimits& limits = {});

/// Writes a volume; the format follows the extension. Atomic: a temporary file in the same
/// folder is written and renamed over the target, so a failure leaves no torn file.
void writeImage(const Volume& volume, const std::filesystem::path& file);

/// Extensions recognised for channel files, in order of preference.
const std::vector<std::string>& imageExtensions();

/// The channel file of `channel` inside a study folder (e.g. DIR/post2.nii.gz), or empty.
std::filesystem::path findChannelFile(const std::filesystem::path& folder, Channel channel);

/// True if the folder holds at least one channel file named as in COHORT-FORMAT.md.
bool isImageStudyFolder(const std::filesystem::path& folder);

/// Reads the six channel files of a study folder. Channels on another grid than `pre` are
/// resampled onto it (linear) and the report says so. MissingChannel names the absent files.
Study readImageStudy(const std::filesystem::path& folder, Progress* progress = nullptr);

/// Writes the six channels as `<channel>.<extension>` (e.g. "nii.gz") into `folder`, as a
/// whole: into a temporary sibling folder that replaces `folder` only when complete.
/// `t2`, when given, is written instead of the study's T2 channel (a T2 on its own grid, as
/// acquired).
void writeImageStudy(const Study& study, const std::filesystem::path& folder,
                     const std::string& extension = "nii.gz", Progress* progress = nullptr,
                     const Volume* t2 = nullptr);

}  // namespace bmsc::io
