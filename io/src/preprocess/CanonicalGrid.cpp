// The canonical LPS grid of a study and exact copies between voxel-aligned grids.
#include "breastmsc/io/Error.h"
#include "breastmsc/io/Preprocess.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bmsc::io {
namespace {

// How index axes of `target` step through `source`: target index i maps to source index
// offset + Σ_a sign[a] · i[a] along source axis axisOf[a]. Only for aligned grids.
struct AlignedMap {
    std::array<int, 3> axisOf{0, 1, 2};
    std::array<std::int64_t, 3> sign{1, 1, 1};
    std::array<std::int64_t, 3> offset{0, 0, 0};
};

std::optional<AlignedMap> alignedMap(const Geometry& source, const Geometry& target) {
    constexpr double kTolerance = 1e-4;  // in voxels
    const Vec3 base = source.physicalToIndex(target.indexToPhysical({0.0, 0.0, 0.0}));
    AlignedMap map;
    std::array<bool, 3> used{false, false, false};
    for (int a = 0; a < 3; ++a) {
        Vec3 unit{0.0, 0.0, 0.0};
        unit[static_cast<std::size_t>(a)] = 1.0;
        const Vec3 step = source.physicalToIndex(target.indexToPhysical(unit));
        int found = -1;
        for (int s = 0; s < 3; ++s) {
            const double d = step[static_cast<std::size_t>(s)] - base[static_cast<std::size_t>(s)];
            if (std::abs(std::abs(d) - 1.0) < kTolerance) {
                if (found >= 0) {
                    return std::nullopt;
                }
                found = s;
                map.sign[static_cast<std::size_t>(a)] = d > 0 ? 1 : -1;
            } else if (std::abs(d) > kTolerance) {
                return std::nullopt;
            }
        }
        if (found < 0 || used[static_cast<std::size_t>(found)]) {
            return std::nullopt;
        }
        used[static_cast<std::size_t>(found)] = true;
        map.axisOf[static_cast<std::size_t>(a)] = found;
    }
    for (int s = 0; s < 3; ++s) {
        const double b = base[static_cast<std::size_t>(s)];
        if (std::abs(b - std::round(b)) > kTolerance) {
            return std::nullopt;
        }
        map.offset[static_cast<std::size_t>(s)] = static_cast<std::int64_t>(std::llround(b));
    }
    return map;
}

}  // namespace

Geometry canonicalGeometry(const Geometry& study, const Index3& grid) {
    Vec3 lo{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
            std::numeric_limits<double>::max()};
    Vec3 hi{-lo[0], -lo[1], -lo[2]};
    for (int corner = 0; corner < 8; ++corner) {
        Vec3 index{};
        for (int a = 0; a < 3; ++a) {
            const auto n = static_cast<double>(study.size[static_cast<std::size_t>(a)]);
            index[static_cast<std::size_t>(a)] = ((corner >> a) & 1) != 0 ? n - 0.5 : -0.5;
        }
        const Vec3 p = study.indexToPhysical(index);
        for (std::size_t r = 0; r < 3; ++r) {
            lo[r] = std::min(lo[r], p[r]);
            hi[r] = std::max(hi[r], p[r]);
        }
    }
    Geometry g;
    g.size = grid;
    for (std::size_t a = 0; a < 3; ++a) {
        g.spacing[a] = (hi[a] - lo[a]) / static_cast<double>(grid[a]);
        g.origin[a] = lo[a] + 0.5 * g.spacing[a];
    }
    return g;
}

Geometry nearestLpsGeometry(const Geometry& grid) {
    // The LPS axis each index axis runs closest to (a permutation: the largest cosines of a
    // rotation matrix, taken greedily, never share a row or a column).
    std::array<int, 3> worldOf{-1, -1, -1};
    std::array<bool, 3> rowUsed{false, false, false}, columnUsed{false, false, false};
    for (int pick = 0; pick < 3; ++pick) {
        double best = -1.0;
        int bestRow = 0, bestColumn = 0;
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                const double v = std::abs(grid.direction[static_cast<std::size_t>(3 * r + c)]);
                if (!rowUsed[static_cast<std::size_t>(r)] &&
                    !columnUsed[static_cast<std::size_t>(c)] && v > best) {
                    best = v;
                    bestRow = r;
                    bestColumn = c;
                }
            }
        }
        rowUsed[static_cast<std::size_t>(bestRow)] = true;
        columnUsed[static_cast<std::size_t>(bestColumn)] = true;
        worldOf[static_cast<std::size_t>(bestColumn)] = bestRow;
    }
    Geometry g = grid;
    Vec3 firstIndex{0.0, 0.0, 0.0};  // the old index of the new grid's first voxel
    for (std::size_t old = 0; old < 3; ++old) {
        const auto w = static_cast<std::size_t>(worldOf[old]);
        const bool reversed = grid.direction[3 * w + old] < 0.0;
        g.size[w] = grid.size[old];
        g.spacing[w] = grid.spacing[old];
        for (std::size_t r = 0; r < 3; ++r) {
            g.direction[3 * r + w] = (reversed ? -1.0 : 1.0) * grid.direction[3 * r + old];
        }
        firstIndex[old] = reversed ? static_cast<double>(grid.size[old] - 1) : 0.0;
    }
    g.origin = grid.indexToPhysical(firstIndex);
    return g;
}

Study withNearestLpsAxes(Study study) {
    const Geometry from = study.geometry();
    const Geometry to = nearestLpsGeometry(from);
    if (to.direction == from.direction) {
        return study;
    }
    Study out;
    out.metadata = std::move(study.metadata);
    for (const Channel c : kAllChannels) {
        if (study.hasChannel(c)) {
            out.setChannel(c, mapBetweenGrids(study.channel(c), to));
        }
    }
    out.metadata.report.push_back("voxels reordered to run closest to LPS for display (was " +
                                  from.describe() + ")");
    return out;
}

Volume mapBetweenGrids(const Volume& source, const Geometry& target, Interpolation interpolation,
                       float outside) {
    const auto map = alignedMap(source.geometry(), target);
    if (!map) {
        return resampleToGrid(source, target, interpolation, outside);
    }
    const Index3& srcSize = source.geometry().size;
    if (target.size == srcSize && map->offset == std::array<std::int64_t, 3>{0, 0, 0} &&
        map->sign == std::array<std::int64_t, 3>{1, 1, 1} &&
        map->axisOf == std::array<int, 3>{0, 1, 2}) {
        const auto v = source.voxels();
        return Volume(target, std::vector<float>(v.begin(), v.end()));
    }
    // Source offset = base + Σ step[a] · i[a]; i[a] is valid within [lo[a], hi[a]).
    std::array<std::int64_t, 3> step{};
    std::array<std::int64_t, 3> lo{}, hi{};
    const std::array<std::int64_t, 3> stride{1, srcSize[0], srcSize[0] * srcSize[1]};
    std::int64_t base = 0;
    for (std::size_t a = 0; a < 3; ++a) {
        const auto s = static_cast<std::size_t>(map->axisOf[a]);
        step[a] = map->sign[a] * stride[s];
        base += map->offset[s] * stride[s];
        // offset + sign · i must lie in [0, srcSize[s]).
        const std::int64_t o = map->offset[s];
        const std::int64_t n = srcSize[s];
        if (map->sign[a] > 0) {
            lo[a] = std::max<std::int64_t>(0, -o);
            hi[a] = std::min<std::int64_t>(target.size[a], n - o);
        } else {
            lo[a] = std::max<std::int64_t>(0, o - n + 1);
            hi[a] = std::min<std::int64_t>(target.size[a], o + 1);
        }
        if (hi[a] <= lo[a]) {
            return Volume(target, outside);
        }
    }
    Volume out(target, outside);
    const auto src = source.voxels();
    for (std::int64_t k = lo[2]; k < hi[2]; ++k) {
        for (std::int64_t j = lo[1]; j < hi[1]; ++j) {
            std::int64_t from = base + k * step[2] + j * step[1] + lo[0] * step[0];
            float* to = &out.at(lo[0], j, k);
            for (std::int64_t i = lo[0]; i < hi[0]; ++i, from += step[0]) {
                *to++ = src[static_cast<std::size_t>(from)];
            }
        }
    }
    return out;
}

}  // namespace bmsc::io
