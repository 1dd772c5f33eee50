#pragma once

#include "breastmsc/io/Volume.h"

#include <memory>

namespace bmsc::viewer {

/// The three orthogonal views of the study's index grid: axial slices are k = const
/// (the acquisition plane of breast DCE-MRI), coronal j = const, sagittal i = const.
enum class ViewAxis { Sagittal = 0, Coronal = 1, Axial = 2 };

/// Colour maps of an overlay. Kinetic is categorical: 1 persistent (blue), 2 plateau (yellow),
/// 3 washout (red); other values are transparent.
enum class ColorMap { Hot, Jet, Kinetic };

/// A volume drawn over the grey image: kinetic maps now, CAM heat maps later, any map on the
/// study grid. Values below `threshold` are transparent; [threshold, maximum] spans the colour
/// map. Toolkit-free: renderers turn it into a lookup table.
struct OverlayLayer {
    std::shared_ptr<const io::Volume> volume;  ///< must be on the study's grid
    ColorMap colorMap = ColorMap::Hot;
    double threshold = 0.0;
    double maximum = 1.0;
    double opacity = 0.5;
    bool visible = true;

    bool operator==(const OverlayLayer&) const = default;  ///< the same volume (pointer) and look
};

}  // namespace bmsc::viewer
