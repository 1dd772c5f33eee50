#include "breastmsc/io/Volume.h"

#include "breastmsc/io/Error.h"

namespace bmsc::io {

Volume::Volume(const Geometry& geometry, float fill)
    : geometry_(geometry), voxels_(geometry.voxelCount(), fill) {}

Volume::Volume(const Geometry& geometry, std::vector<float> voxels)
    : geometry_(geometry), voxels_(std::move(voxels)) {
    if (voxels_.size() != geometry_.voxelCount()) {
        throw IoError(ErrorCode::InvalidArgument, {},
                      "voxel buffer of " + std::to_string(voxels_.size()) +
                          " values does not match the grid " + geometry_.describe());
    }
}

void Volume::setGeometry(const Geometry& geometry) {
    if (geometry.size != geometry_.size) {
        throw IoError(ErrorCode::InvalidArgument, {}, "setGeometry cannot change the grid size");
    }
    geometry_ = geometry;
}

}  // namespace bmsc::io
