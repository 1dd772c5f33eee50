#pragma once
// Axial slice figures: a grey image with an optional colour overlay (a heat map, a class
// activation map), displayed radiologically, for PNG output without a GUI toolkit.

#include "breastmsc/io/Geometry.h"
#include "breastmsc/io/PngFile.h"
#include "breastmsc/io/Volume.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace bmsc::io {

struct SliceFigureOptions {
    /// Grey window; NaN: the slice's 1st and 99.5th percentiles.
    double greyLow = NAN;
    double greyHigh = NAN;
    /// Overlay values mapped onto the colour map's ends (below: transparent); NaN: the
    /// smallest and largest nonzero overlay values of the slice.
    double overlayLow = NAN;
    double overlayHigh = NAN;
    /// Opacity of the overlay at `overlayHigh`; it falls linearly to 0 at `overlayLow`.
    double overlayOpacity = 0.7;
    /// A cross drawn at this point (projected onto the slice), e.g. a map's maximum.
    std::optional<Vec3> marker;
    /// Pixels are repeated (an integer factor) until the larger side has at least this many.
    std::int64_t minimumSide = 0;
};

/// "hot" colour map (black → red → yellow → white) at t in [0, 1].
std::array<std::uint8_t, 3> hotColour(double t) noexcept;

/// The physical z (LPS mm, superior positive) of the slice centres of `geometry` along its
/// index axis closest to the superior-inferior direction, ascending.
std::vector<double> axialSlicePositions(const Geometry& geometry);

/// The plane z = `zMm` through `grey`, on an axis-aligned grid with `grey`'s in-plane spacing
/// that covers its bounding box: image columns run to the patient's left (+x), rows to
/// posterior (+y), so the patient's right is on the image's left and anterior at the top (the
/// radiological convention). `overlay` (any grid, may be null) is resampled onto the same
/// pixels and blended with hotColour; its zero voxels (outside a map's support) stay clear.
RgbImage renderAxialSlice(const Volume& grey, const Volume* overlay, double zMm,
                          const SliceFigureOptions& options = {});

}  // namespace bmsc::io
