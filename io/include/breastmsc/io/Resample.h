#pragma once

#include "breastmsc/io/Volume.h"

namespace bmsc::io {

enum class Interpolation { Nearest, Linear };

/// Resamples `source` onto `target` grid in physical space (ITK ResampleImageFilter, identity
/// transform). Points outside the source get `outside`.
Volume resampleToGrid(const Volume& source, const Geometry& target,
                      Interpolation interpolation = Interpolation::Linear, float outside = 0.0f);

}  // namespace bmsc::io
