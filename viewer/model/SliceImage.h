#pragma once

#include "breastmsc/io/Volume.h"

#include <QImage>

namespace bmsc::viewer {

/// Window/level of a greyscale display: value `center` maps to mid-grey, `width` spans black
/// to white.
struct WindowLevel {
    double center = 0.0;
    double width = 1.0;
};

/// A window/level that shows the 1st to 99.5th percentile of the volume's voxels.
WindowLevel automaticWindow(const io::Volume& volume);

/// Axial slice `k` of `volume` as an 8-bit greyscale image, row j at image line j (anterior at
/// the top for an LPS study with identity direction), column i at image column i.
QImage axialSlice(const io::Volume& volume, std::int64_t k, const WindowLevel& window);

}  // namespace bmsc::viewer
