#include "model/OverlayProjection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace bmsc::viewer {

namespace {

io::Geometry oneSlice(io::Geometry g) {
    g.size[2] = 1;
    return g;
}

}  // namespace

std::shared_ptr<io::Volume> OverlayProjection::maximumAlongK(const io::Volume& volume) {
    const io::Geometry& g = volume.geometry();
    auto out = std::make_shared<io::Volume>(oneSlice(g), std::numeric_limits<float>::lowest());
    const auto plane = static_cast<std::size_t>(g.size[0] * g.size[1]);
    const auto in = volume.voxels();
    float* __restrict result = out->voxels().data();
    // Slice by slice over contiguous planes (x fastest): vectorises, no per-voxel indexing.
    for (std::int64_t k = 0; k < g.size[2]; ++k) {
        const float* __restrict src = in.data() + static_cast<std::size_t>(k) * plane;
        for (std::size_t n = 0; n < plane; ++n) {
            // NaN (no value) never wins, as it is below every threshold when drawn.
            result[n] = src[n] > result[n] ? src[n] : result[n];
        }
    }
    return out;
}

std::shared_ptr<io::Volume> OverlayProjection::categoryAtBrightest(const io::Volume& categories,
                                                                   const io::Volume& intensity) {
    const io::Geometry& g = categories.geometry();
    auto out = std::make_shared<io::Volume>(oneSlice(g), 0.0f);
    const auto plane = static_cast<std::size_t>(g.size[0] * g.size[1]);
    const auto cats = categories.voxels();
    const auto values = intensity.voxels();
    auto result = out->voxels();
    if (g.size[2] < 1) {
        return out;
    }
    std::vector<float> best(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(plane));
    std::copy_n(cats.begin(), plane, result.begin());
    float* __restrict top = best.data();
    float* __restrict shown = result.data();
    for (std::int64_t k = 1; k < g.size[2]; ++k) {
        const float* __restrict v = values.data() + static_cast<std::size_t>(k) * plane;
        const float* __restrict c = cats.data() + static_cast<std::size_t>(k) * plane;
        for (std::size_t n = 0; n < plane; ++n) {
            // Strictly greater: the first slice wins a tie, as brightestSlice picks it.
            // Branch-free selects on unaliased pointers, so that the loop vectorises.
            const bool brighter = v[n] > top[n];
            top[n] = brighter ? v[n] : top[n];
            shown[n] = brighter ? c[n] : shown[n];
        }
    }
    return out;
}

std::shared_ptr<const io::Volume> OverlayProjection::compute(
    const OverlayLayer& layer, const std::shared_ptr<const io::Volume>& subtraction) {
    if (layer.volume == nullptr) {
        return nullptr;
    }
    if (layer.colorMap != ColorMap::Kinetic) {
        return maximumAlongK(*layer.volume);
    }
    if (subtraction == nullptr || subtraction->geometry().size != layer.volume->geometry().size) {
        return nullptr;
    }
    return categoryAtBrightest(*layer.volume, *subtraction);
}

std::shared_ptr<const io::Volume> OverlayProjection::cached(
    const OverlayLayer& layer, const std::shared_ptr<const io::Volume>& subtraction) const {
    const bool kinetic = layer.colorMap == ColorMap::Kinetic;
    const bool hit = projected_ != nullptr && layer.volume != nullptr && kinetic == kinetic_ &&
                     source_.lock() == layer.volume &&
                     (!kinetic || (subtraction != nullptr && subtraction_.lock() == subtraction));
    return hit ? projected_ : nullptr;
}

void OverlayProjection::store(const OverlayLayer& layer,
                              const std::shared_ptr<const io::Volume>& subtraction,
                              std::shared_ptr<const io::Volume> projected) {
    const bool kinetic = layer.colorMap == ColorMap::Kinetic;
    source_ = layer.volume;
    subtraction_ = kinetic ? subtraction : nullptr;
    kinetic_ = kinetic;
    projected_ = std::move(projected);
}

std::shared_ptr<const io::Volume> OverlayProjection::project(
    const OverlayLayer& layer, const std::shared_ptr<const io::Volume>& subtraction) {
    if (auto hit = cached(layer, subtraction)) {
        return hit;
    }
    auto projected = compute(layer, subtraction);
    if (projected != nullptr) {
        store(layer, subtraction, projected);
    }
    return projected;
}

}  // namespace bmsc::viewer
