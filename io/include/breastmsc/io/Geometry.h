#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bmsc::io {

using Vec3 = std::array<double, 3>;
using Index3 = std::array<std::int64_t, 3>;
/// Row-major 3×3 matrix; column c is the unit direction of index axis c in LPS (ITK's convention).
using Mat3 = std::array<double, 9>;

/// A regular voxel grid in patient space: LPS millimetres as in DICOM and ITK.
/// physical = origin + direction · diag(spacing) · index
struct Geometry {
    Index3 size{0, 0, 0};
    Vec3 spacing{1.0, 1.0, 1.0};
    Vec3 origin{0.0, 0.0, 0.0};
    Mat3 direction{1, 0, 0, 0, 1, 0, 0, 0, 1};

    std::size_t voxelCount() const noexcept {
        return static_cast<std::size_t>(size[0]) * static_cast<std::size_t>(size[1]) *
               static_cast<std::size_t>(size[2]);
    }
    bool contains(const Index3& i) const noexcept {
        return i[0] >= 0 && i[1] >= 0 && i[2] >= 0 && i[0] < size[0] && i[1] < size[1] &&
               i[2] < size[2];
    }
    /// Continuous index → LPS mm.
    Vec3 indexToPhysical(const Vec3& index) const noexcept;
    /// LPS mm → continuous index (exact inverse of indexToPhysical).
    Vec3 physicalToIndex(const Vec3& point) const noexcept;
    /// Nearest voxel of a physical point (may lie outside the grid: check contains()).
    Index3 physicalToNearestIndex(const Vec3& point) const noexcept;
    /// Direction of index axis `axis` as a unit LPS vector.
    Vec3 axisDirection(int axis) const noexcept {
        return {direction[0 + axis], direction[3 + axis], direction[6 + axis]};
    }
    /// Same size, and spacing/origin/direction equal within `tolerance` (mm or cosine).
    bool sameGrid(const Geometry& other, double tolerance = 1e-4) const noexcept;
    /// Physical extent of the grid's bounding box corners (voxel centres) — for reports.
    std::string describe() const;
};

/// Parses a grid size "192x192x24" (also with capital X; up to six digits an axis);
/// IoError(InvalidArgument) otherwise. Whether the sizes suit a use is the user's to check.
Index3 parseGridSize(const std::string& text);

}  // namespace bmsc::io
