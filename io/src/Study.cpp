#include "breastmsc/io/Study.h"

#include "breastmsc/io/Error.h"

#include <algorithm>

namespace bmsc::io {

namespace {
constexpr std::array<std::string_view, kChannelCount> kNames{"pre",   "post1", "post2",
                                                             "post3", "post4", "t2"};
}

std::string_view channelName(Channel channel) noexcept {
    return kNames[static_cast<std::size_t>(channel)];
}

std::optional<Channel> channelFromName(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == name) {
            return static_cast<Channel>(i);
        }
    }
    return std::nullopt;
}

bool Study::complete() const noexcept {
    return std::all_of(channels_.begin(), channels_.end(),
                       [](const Volume& v) { return !v.empty(); });
}

const Volume& Study::channel(Channel c) const {
    if (!hasChannel(c)) {
        throw IoError(ErrorCode::MissingChannel, metadata.source,
                      "the study has no " + std::string(channelName(c)) + " channel");
    }
    return channels_[index(c)];
}

Volume& Study::channel(Channel c) {
    return const_cast<Volume&>(static_cast<const Study&>(*this).channel(c));
}

void Study::setChannel(Channel c, Volume volume) {
    const bool first = std::none_of(channels_.begin(), channels_.end(),
                                    [](const Volume& v) { return !v.empty(); });
    if (first) {
        geometry_ = volume.geometry();
    } else if (!volume.geometry().sameGrid(geometry_, 1e-3)) {
        throw IoError(ErrorCode::GeometryMismatch, metadata.source,
                      "channel " + std::string(channelName(c)) + " is on grid " +
                          volume.geometry().describe() + ", the study on " + geometry_.describe());
    }
    channels_[index(c)] = std::move(volume);
}

}  // namespace bmsc::io
