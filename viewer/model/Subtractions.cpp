#include "model/Subtractions.h"

#include "breastmsc/io/Error.h"

#include <algorithm>
#include <limits>

namespace bmsc::viewer {

Subtractions::Subtractions(std::shared_ptr<const io::Study> study) : study_(std::move(study)) {
    if (study_ == nullptr || !study_->complete()) {
        throw io::IoError(io::ErrorCode::InvalidArgument, {},
                          "subtractions need a study with all six channels");
    }
}

std::size_t Subtractions::slot(int phase) {
    if (phase < 1 || phase > 4) {
        throw io::IoError(io::ErrorCode::InvalidArgument, {},
                          "subtraction phase must be 1 to 4, not " + std::to_string(phase));
    }
    return static_cast<std::size_t>(phase - 1);
}

bool Subtractions::hasSubtraction(int phase) const {
    return subtractions_[slot(phase)] != nullptr;
}

bool Subtractions::hasMip(int phase) const {
    return mips_[slot(phase)] != nullptr;
}

std::shared_ptr<const io::Volume> Subtractions::subtraction(int phase) {
    auto& cached = subtractions_[slot(phase)];
    if (cached == nullptr) {
        const auto pre = study_->channel(io::Channel::Pre).voxels();
        const auto post = study_->channel(static_cast<io::Channel>(phase)).voxels();
        auto volume = std::make_shared<io::Volume>(study_->geometry());
        auto out = volume->voxels();
        for (std::size_t n = 0; n < out.size(); ++n) {
            out[n] = post[n] - pre[n];
        }
        cached = std::move(volume);
    }
    return cached;
}

std::shared_ptr<const io::Volume> Subtractions::mip(int phase) {
    auto& cached = mips_[slot(phase)];
    if (cached == nullptr) {
        const auto sub = subtraction(phase);
        io::Geometry g = study_->geometry();
        const std::int64_t depth = g.size[2];
        g.size[2] = 1;
        auto volume = std::make_shared<io::Volume>(g, std::numeric_limits<float>::lowest());
        for (std::int64_t k = 0; k < depth; ++k) {
            for (std::int64_t j = 0; j < g.size[1]; ++j) {
                for (std::int64_t i = 0; i < g.size[0]; ++i) {
                    float& m = volume->at(i, j, 0);
                    m = std::max(m, sub->at(i, j, k));
                }
            }
        }
        cached = std::move(volume);
    }
    return cached;
}

}  // namespace bmsc::viewer
