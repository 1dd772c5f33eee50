#pragma once

#include "breastmsc/io/Geometry.h"

#include <span>
#include <vector>

namespace bmsc::io {

/// One scalar 3D image: a Geometry and float voxels, x fastest (ITK/NIfTI memory order).
class Volume {
public:
    Volume() = default;
    explicit Volume(const Geometry& geometry, float fill = 0.0f);
    Volume(const Geometry& geometry, std::vector<float> voxels);  ///< sizes must agree

    const Geometry& geometry() const noexcept { return geometry_; }
    /// Change origin/spacing/direction; the size must stay the same.
    void setGeometry(const Geometry& geometry);
    bool empty() const noexcept { return voxels_.empty(); }

    std::span<float> voxels() noexcept { return voxels_; }
    std::span<const float> voxels() const noexcept { return voxels_; }

    std::size_t offset(std::int64_t i, std::int64_t j, std::int64_t k) const noexcept {
        return static_cast<std::size_t>(i + geometry_.size[0] * (j + geometry_.size[1] * k));
    }
    float& at(std::int64_t i, std::int64_t j, std::int64_t k) noexcept {
        return voxels_[offset(i, j, k)];
    }
    float at(std::int64_t i, std::int64_t j, std::int64_t k) const noexcept {
        return voxels_[offset(i, j, k)];
    }

private:
    Geometry geometry_;
    std::vector<float> voxels_;
};

}  // namespace bmsc::io
