#pragma once

#include "breastmsc/io/Volume.h"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bmsc::io {

/// The six channels of a breast DCE-MRI study, in the network's channel order.
enum class Channel : int { Pre = 0, Post1, Post2, Post3, Post4, T2 };
inline constexpr int kChannelCount = 6;
inline constexpr int kDynamicChannelCount = 5;  ///< pre + four post-contrast phases
inline constexpr std::array<Channel, kChannelCount> kAllChannels{
    Channel::Pre, Channel::Post1, Channel::Post2, Channel::Post3, Channel::Post4, Channel::T2};

/// "pre", "post1" … "post4", "t2": the file stems of COHORT-FORMAT.md.
std::string_view channelName(Channel channel) noexcept;
std::optional<Channel> channelFromName(std::string_view name) noexcept;

/// Who and what a study is, kept apart from the pixel data.
struct StudyMetadata {
    std::string patientId;
    std::string studyInstanceUid;
    std::string studyDate;
    std::string description;
    std::string source;  ///< the path it was read from
    /// Acquisition time of each dynamic phase in seconds after the pre-contrast phase
    /// (NaN when unknown).
    std::array<double, kDynamicChannelCount> phaseTimes{NAN, NAN, NAN, NAN, NAN};
    /// What the reader found and decided (series, phases, resampling), one line each, so that
    /// a user can check the assignment.
    std::vector<std::string> report;
};

/// A six-channel breast study on one grid (that of the dynamic series), LPS.
class Study {
public:
    StudyMetadata metadata;

    const Geometry& geometry() const noexcept { return geometry_; }
    bool hasChannel(Channel c) const noexcept { return !channels_[index(c)].empty(); }
    bool complete() const noexcept;
    const Volume& channel(Channel c) const;  ///< throws if absent
    Volume& channel(Channel c);
    /// The first channel set fixes the grid; later ones must be on the same grid
    /// (IoError GeometryMismatch otherwise — resample first).
    void setChannel(Channel c, Volume volume);

private:
    static std::size_t index(Channel c) noexcept { return static_cast<std::size_t>(c); }
    Geometry geometry_;
    std::array<Volume, kChannelCount> channels_;
};

}  // namespace bmsc::io
