#pragma once
// A tiny study for GUI tests: 20×16×5 voxels of 2×2×3 mm; channel c holds 100·c + 10·k + i, so
// every voxel's value tells its channel, slice and column. Optionally post1 has a bright spot
// (+1000) at one voxel, so that subtraction 1 is brightest there in its column.
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/Study.h"

#include <filesystem>
#include <optional>

namespace bmsc::test {

inline void writeRampStudy(const std::filesystem::path& folder,
                           std::optional<io::Index3> post1Spot = std::nullopt) {
    io::Geometry g;
    g.size = {20, 16, 5};
    g.spacing = {2.0, 2.0, 3.0};
    io::Study study;
    for (const io::Channel c : io::kAllChannels) {
        io::Volume v(g);
        for (std::int64_t k = 0; k < 5; ++k) {
            for (std::int64_t j = 0; j < 16; ++j) {
                for (std::int64_t i = 0; i < 20; ++i) {
                    v.at(i, j, k) = static_cast<float>(100 * static_cast<int>(c) + 10 * k + i);
                }
            }
        }
        if (c == io::Channel::Post1 && post1Spot) {
            v.at((*post1Spot)[0], (*post1Spot)[1], (*post1Spot)[2]) += 1000.0f;
        }
        study.setChannel(c, std::move(v));
    }
    io::writeImageStudy(study, folder);
}

}  // namespace bmsc::test
