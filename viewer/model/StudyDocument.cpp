#include "model/StudyDocument.h"

#include <algorithm>

namespace bmsc::viewer {

StudyDocument::StudyDocument(QObject* parent) : QObject(parent) {}

void StudyDocument::setStudy(std::shared_ptr<const io::Study> study) {
    study_ = std::move(study);
    slice_ = sliceCount() / 2;
    if (study_ != nullptr) {
        for (const io::Channel c : io::kAllChannels) {
            windows_[static_cast<std::size_t>(c)] = automaticWindow(study_->channel(c));
        }
    }
    Q_EMIT studyChanged();
    Q_EMIT viewChanged();
}

void StudyDocument::clear() {
    setStudy(nullptr);
}

void StudyDocument::setChannel(io::Channel channel) {
    if (channel != channel_) {
        channel_ = channel;
        Q_EMIT viewChanged();
    }
}

std::int64_t StudyDocument::sliceCount() const {
    return study_ == nullptr ? 0 : study_->geometry().size[2];
}

void StudyDocument::setSlice(std::int64_t slice) {
    const std::int64_t clamped =
        std::clamp<std::int64_t>(slice, 0, std::max<std::int64_t>(0, sliceCount() - 1));
    if (clamped != slice_) {
        slice_ = clamped;
        Q_EMIT viewChanged();
    }
}

WindowLevel StudyDocument::window(io::Channel channel) const {
    return windows_[static_cast<std::size_t>(channel)];
}

void StudyDocument::setWindow(io::Channel channel, const WindowLevel& window) {
    windows_[static_cast<std::size_t>(channel)] = window;
    Q_EMIT viewChanged();
}

std::optional<std::array<float, io::kChannelCount>> StudyDocument::valuesAt(std::int64_t i,
                                                                            std::int64_t j) const {
    if (study_ == nullptr || !study_->geometry().contains({i, j, slice_})) {
        return std::nullopt;
    }
    std::array<float, io::kChannelCount> values{};
    for (const io::Channel c : io::kAllChannels) {
        values[static_cast<std::size_t>(c)] = study_->channel(c).at(i, j, slice_);
    }
    return values;
}

}  // namespace bmsc::viewer
