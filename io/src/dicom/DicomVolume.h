#pragma once
// Private: building one Volume from DICOM frames that each lie at their own position.

#include "DicomSlice.h"

#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Volume.h"

#include <filesystem>
#include <vector>

namespace bmsc::io::detail {

/// Geometry of a stack of frames (one per position): sorted along the slice normal, origin at
/// the first, spacing from PixelSpacing and the positions. Checks that the frames share size,
/// orientation and pixel spacing, lie on a line along the normal, and are evenly spaced (within
/// max(0.02 mm, 1 % of the mean gap)); otherwise IoError GeometryMismatch naming `where`.
/// Sorts `slices` in place into volume order.
Geometry stackGeometry(std::vector<const DicomSlice*>& slices, const std::filesystem::path& where);

/// Reads the frames' pixels into a volume of `geometry` (slices in the order given).
Volume readStack(const std::vector<const DicomSlice*>& slices, const Geometry& geometry,
                 const std::filesystem::path& where, Progress* progress);

}  // namespace bmsc::io::detail
