#pragma once
// Study preprocessing into the paper's network geometry, and the way back.
//
// study (any orientation) ─► canonical grid (LPS axes +x left, +y posterior, +z superior,
// `grid` voxels covering the study's bounding box) ─► crop `cropRows` rows along y, placed from
// the image (skin, chest wall, heart) ─► split at the grid centre in x into the patient's right
// (x < centre) and left (x ≥ centre) breast ─► intensity normalisation.
//
// Every breast volume carries its physical geometry, so it overlays the study in any viewer and
// maps back with resampling. Left/right follows the same rule as Cohort::sideOfPoint: the
// physical centre of the study's bounding box in x.

#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Resample.h"
#include "breastmsc/io/Study.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bmsc::io {

struct PreprocessOptions {
    /// Canonical grid in voxels (x, y, z); x must be even (two breasts of x/2 columns).
    Index3 grid{512, 512, 32};
    /// Rows kept along y (anterior → posterior); the paper keeps 256 of 512.
    std::int64_t cropRows = 256;
    /// Air kept in front of the most anterior skin (nipple).
    double skinMarginMm = 5.0;
    /// Tissue kept behind the detected chest wall (the front of the pectoral muscle / thorax).
    double chestWallMarginMm = 10.0;
    /// Minimum distance between the crop's posterior end and the detected heart.
    double heartMarginMm = 10.0;
    /// Strongly enhancing blobs crossing the body's midline at least this large are the heart.
    double heartMinVolumeMl = 20.0;
    /// Percentile of the pre-contrast (resp. T2) tissue signal that becomes 1.0.
    double normalisationPercentile = 99.0;
    bool normalise = true;
    /// Above 0: clearPosteriorWall on each breast with this fraction (0: the breasts as cut).
    double posteriorWallFraction = 0.0;

    /// The paper's geometry: 512 × 512 × 32, crop 256 rows (breasts 256 × 256 × 32).
    static PreprocessOptions paper() { return {}; }
    /// A small preset for laptops and CI: 128 × 128 × 16, crop 64 rows (breasts 64 × 64 × 16).
    static PreprocessOptions demo() {
        PreprocessOptions o;
        o.grid = {128, 128, 16};
        o.cropRows = 64;
        return o;
    }
};

/// normalised = (raw − offset) / scale; one (offset, scale) for the five dynamic channels, so
/// that the ratios between pre and post-contrast signals (relative enhancement) are kept, and
/// one for T2.
struct IntensityNormalisation {
    double dynamicOffset = 0.0;
    double dynamicScale = 1.0;
    double t2Offset = 0.0;
    double t2Scale = 1.0;
    double percentile = 99.0;  ///< the statistic the scales were taken from
    bool applied = false;      ///< false: channels are raw intensities

    double offset(Channel c) const noexcept { return c == Channel::T2 ? t2Offset : dynamicOffset; }
    double scale(Channel c) const noexcept { return c == Channel::T2 ? t2Scale : dynamicScale; }
    float apply(Channel c, float raw) const noexcept {
        return applied ? static_cast<float>((raw - offset(c)) / scale(c)) : raw;
    }
    float undo(Channel c, float normalised) const noexcept {
        return applied ? static_cast<float>(normalised * scale(c) + offset(c)) : normalised;
    }
};

/// Where the crop was placed and why (rows of the canonical grid; −1 where not found).
struct CropPlacement {
    std::int64_t firstRow = 0;           ///< first kept row
    std::int64_t anteriorRow = -1;       ///< most anterior body voxel (nipple / skin)
    std::int64_t chestWallRow = -1;      ///< front of the thorax behind the breasts
    std::int64_t heartRow = -1;          ///< most anterior voxel of the detected heart
    double midlineXmm = 0.0;             ///< body midline (centre of its left-right extent), LPS mm
    bool breastsDeeperThanCrop = false;  ///< the anterior body was kept, the base is cut
};

/// Everything needed to go from the study to the breast grids and back, without voxels.
struct PreprocessTransform {
    Geometry study;      ///< the input grid
    Geometry canonical;  ///< identity direction, covers the study's bounding box
    std::int64_t cropFirstRow = 0;
    std::int64_t cropRows = 256;
    CropPlacement placement;
    IntensityNormalisation normalisation;

    /// Geometry of one breast grid: (grid x / 2) × cropRows × grid z, identity direction.
    /// Right: canonical columns [0, x/2); left: [x/2, x).
    Geometry breastGeometry(Side side) const;
    /// Physical x (LPS mm) of the split: the centre of the canonical grid in x, which is the
    /// centre of the study's bounding box (the rule of Cohort::sideOfPoint).
    double splitXmm() const;
};

struct BreastImage {
    Side side = Side::Left;
    Geometry geometry;
    std::array<Volume, kChannelCount> channels;  ///< kAllChannels order; normalised
    const Volume& channel(Channel c) const { return channels[static_cast<std::size_t>(c)]; }
};

struct PreprocessResult {
    PreprocessTransform transform;
    std::array<BreastImage, 2> breasts;  ///< [0] left, [1] right
    std::vector<std::string> report;     ///< what was found and decided, one line each

    const BreastImage& breast(Side side) const { return breasts[side == Side::Left ? 0 : 1]; }
};

/// Sets every channel to 0 where the breast enhances (post1 − pre above `fraction` × the
/// breast's highest) in one unbroken run from the crop's last, most posterior row forward, per
/// column (x, z): what enhances behind the breast and reaches back into the thorax (chest-wall
/// muscle, heart), not a lesion in front of it with tissue that does not enhance behind it. A
/// lesion that itself reaches the last row is cleared with the wall. Returns the voxels cleared
/// (0 when `fraction` ≤ 0 or nothing enhances).
std::int64_t clearPosteriorWall(BreastImage& breast, double fraction);

/// Throws IoError(InvalidArgument, naming no file) when the options cannot be used: a grid size
/// outside 1–4096, an odd x size, crop rows outside 1…the grid's y size, a percentile outside
/// (0, 100], a negative margin or volume, a posterior wall fraction outside [0, 1).
void checkPreprocessOptions(const PreprocessOptions& options);

/// Runs the whole preprocessing. Throws IoError naming the study (metadata.source or
/// patientId): MissingChannel if a channel is absent, InvalidArgument for bad options,
/// InvalidValue if no body can be found (empty, constant or pure-noise image).
PreprocessResult preprocess(const Study& study, const PreprocessOptions& options = {},
                            Progress* progress = nullptr);

/// The canonical grid of a study grid: axes +x, +y, +z of LPS, `grid` voxels whose edges cover
/// the study's physical bounding box (so a canonical study with size == grid maps onto itself).
Geometry canonicalGeometry(const Geometry& study, const Index3& grid);

/// The same voxels with their index axes reordered and reversed so that axis a runs closest to
/// +x, +y, +z of LPS for a = 0, 1, 2 (nibabel's "closest canonical", in LPS): what a viewer that
/// shows a grid's own planes needs to show a study stored RAS, or with its rows and columns
/// swapped, as axial, right on the left and anterior up. An oblique grid stays oblique. Returns
/// `grid` itself when it already runs so.
Geometry nearestLpsGeometry(const Geometry& grid);
/// `study` with every channel copied (exactly) onto nearestLpsGeometry, and a line in its report
/// when the voxels were reordered; unchanged when they already run so.
Study withNearestLpsAxes(Study study);

/// Resamples `source` onto `target`. When the grids are voxel-aligned (same spacing, the
/// directions a signed permutation of each other, integer offsets) voxels are copied exactly;
/// otherwise ITK resampling with `interpolation`. Points outside the source get `outside`.
Volume mapBetweenGrids(const Volume& source, const Geometry& target,
                       Interpolation interpolation = Interpolation::Linear, float outside = 0.0f);

/// A volume on one breast grid (a CAM heat map, a mask) mapped onto the study grid; study
/// voxels outside that breast's crop get `outside`.
Volume mapToStudy(const Volume& breastGridVolume, Side side, const PreprocessTransform& transform,
                  Interpolation interpolation = Interpolation::Linear, float outside = 0.0f);
/// Both breasts at once: each study voxel takes the value of the breast whose crop holds it.
Volume mapBreastsToStudy(const Volume& left, const Volume& right,
                         const PreprocessTransform& transform,
                         Interpolation interpolation = Interpolation::Linear, float outside = 0.0f);
/// The other way: a study-grid volume (labels, masks) on a breast grid.
Volume mapToBreast(const Volume& studyGridVolume, Side side, const PreprocessTransform& transform,
                   Interpolation interpolation = Interpolation::Linear, float outside = 0.0f);

/// The breast a physical point belongs to (same rule as Cohort::sideOfPoint).
Side sideOfPoint(const PreprocessTransform& transform, const Vec3& point);
/// LPS mm → continuous voxel index on that breast's grid (may lie outside the crop).
Vec3 pointToBreastIndex(const PreprocessTransform& transform, Side side, const Vec3& point);
/// LPS mm → nearest voxel of the breast the point belongs to; nullopt if outside the crop.
std::optional<Index3> pointToBreastVoxel(const PreprocessTransform& transform, const Vec3& point,
                                         Side* side = nullptr);
/// Continuous breast voxel index → LPS mm.
Vec3 breastIndexToPoint(const PreprocessTransform& transform, Side side, const Vec3& index);

}  // namespace bmsc::io
