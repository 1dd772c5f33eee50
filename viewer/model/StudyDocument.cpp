#include "model/StudyDocument.h"

#include "breastmsc/io/Error.h"

#include <algorithm>

namespace bmsc::viewer {

StudyDocument::StudyDocument(QObject* parent) : QObject(parent) {}

StudyDocument::~StudyDocument() = default;

void StudyDocument::setStudy(std::shared_ptr<const io::Study> study) {
    study_ = std::move(study);
    slice_ = sliceCount() / 2;
    cursorI_ = study_ == nullptr ? 0 : study_->geometry().size[0] / 2;
    cursorJ_ = study_ == nullptr ? 0 : study_->geometry().size[1] / 2;
    derived_ = Derived::None;
    derivedPhase_ = 0;
    derivedWindowSet_ = {};
    subtractions_.reset();
    if (study_ != nullptr && study_->complete()) {
        subtractions_ = std::make_unique<Subtractions>(study_);
    }
    if (study_ != nullptr) {
        for (const io::Channel c : io::kAllChannels) {
            windows_[static_cast<std::size_t>(c)] =
                presetWindow(study_->channel(c), preset(std::string(io::channelName(c))));
        }
    }
    Q_EMIT studyChanged();
    Q_EMIT viewChanged();
}

void StudyDocument::clear() {
    setStudy(nullptr);
}

void StudyDocument::setChannel(io::Channel channel) {
    if (channel != channel_ || derived_ != Derived::None) {
        channel_ = channel;
        derived_ = Derived::None;
        derivedPhase_ = 0;
        Q_EMIT viewChanged();
    }
}

std::size_t StudyDocument::derivedSlot() const {
    return static_cast<std::size_t>(derivedPhase_ - 1 + (derived_ == Derived::Mip ? 4 : 0));
}

void StudyDocument::showSubtraction(int phase, bool mip) {
    if (phase < 1 || phase > 4) {
        throw io::IoError(io::ErrorCode::InvalidArgument, {},
                          "subtraction phase must be 1 to 4, not " + std::to_string(phase));
    }
    if (subtractions_ == nullptr) {
        return;
    }
    const Derived kind = mip ? Derived::Mip : Derived::Subtraction;
    if (kind == derived_ && phase == derivedPhase_) {
        return;
    }
    derivedVolume(phase, mip);  // computed, its window set
    derived_ = kind;
    derivedPhase_ = phase;
    Q_EMIT viewChanged();
}

std::string StudyDocument::derivedKey(int phase, bool mip) {
    return (mip ? "mip" : "sub") + std::to_string(phase);
}

std::shared_ptr<const io::Volume> StudyDocument::derivedVolume(int phase, bool mip) {
    if (subtractions_ == nullptr || phase < 1 || phase > 4) {
        return nullptr;
    }
    auto volume = mip ? subtractions_->mip(phase) : subtractions_->subtraction(phase);
    const auto slot = static_cast<std::size_t>(phase - 1 + (mip ? 4 : 0));
    if (!derivedWindowSet_[slot]) {
        derivedWindows_[slot] = presetWindow(*volume, preset(derivedKey(phase, mip)));
        derivedWindowSet_[slot] = true;
    }
    return volume;
}

std::shared_ptr<const io::Volume> StudyDocument::displayVolume() {
    if (derived_ == Derived::None) {
        return nullptr;
    }
    return derivedVolume(derivedPhase_, derived_ == Derived::Mip);
}

std::shared_ptr<const io::Volume> StudyDocument::mip(int phase) {
    return derivedVolume(phase, true);
}

std::shared_ptr<const io::Volume> StudyDocument::subtraction(int phase) {
    return derivedVolume(phase, false);
}

WindowLevel StudyDocument::derivedWindow(int phase, bool mip) {
    if (derivedVolume(phase, mip) == nullptr) {
        return {};
    }
    return derivedWindows_[static_cast<std::size_t>(phase - 1 + (mip ? 4 : 0))];
}

void StudyDocument::setDerivedWindow(int phase, bool mip, const WindowLevel& window) {
    if (phase < 1 || phase > 4) {
        return;
    }
    const auto slot = static_cast<std::size_t>(phase - 1 + (mip ? 4 : 0));
    derivedWindows_[slot] = window;
    derivedWindowSet_[slot] = true;
    Q_EMIT viewChanged();
}

std::int64_t StudyDocument::brightestSlice(int phase, std::int64_t i, std::int64_t j) {
    const auto volume = derivedVolume(phase, false);
    if (volume == nullptr || !volume->geometry().contains({i, j, 0})) {
        return 0;
    }
    std::int64_t best = 0;
    for (std::int64_t k = 1; k < volume->geometry().size[2]; ++k) {
        if (volume->at(i, j, k) > volume->at(i, j, best)) {
            best = k;
        }
    }
    return best;
}

std::string StudyDocument::displayKey() const {
    return derived_ == Derived::None ? std::string(io::channelName(channel_))
                                     : derivedKey(derivedPhase_, derived_ == Derived::Mip);
}

WindowPreset StudyDocument::preset(const std::string& key) const {
    const auto found = presets_.find(key);
    if (found != presets_.end()) {
        return found->second;
    }
    // Subtractions and their MIPs: non-enhancing background dark, as breast readers view them.
    const bool derived = key.rfind("sub", 0) == 0 || key.rfind("mip", 0) == 0;
    return derived ? WindowPreset::Subtraction : WindowPreset::Automatic;
}

void StudyDocument::setPreset(const std::string& key, WindowPreset preset) {
    presets_[key] = preset;
}

void StudyDocument::applyPreset(WindowPreset preset) {
    presets_[displayKey()] = preset;
    if (study_ == nullptr) {
        return;
    }
    if (derived_ == Derived::None) {
        setWindow(channel_, presetWindow(study_->channel(channel_), preset));
    } else if (const auto volume = displayVolume(); volume != nullptr) {
        setDisplayWindow(presetWindow(*volume, preset));
    }
}

std::string StudyDocument::displayName() const {
    switch (derived_) {
        case Derived::Subtraction:
            return "sub" + std::to_string(derivedPhase_);
        case Derived::Mip:
            return "MIP sub" + std::to_string(derivedPhase_);
        case Derived::None:
            break;
    }
    return std::string(io::channelName(channel_));
}

WindowLevel StudyDocument::displayWindow() const {
    return derived_ == Derived::None ? window(channel_) : derivedWindows_[derivedSlot()];
}

void StudyDocument::setDisplayWindow(const WindowLevel& window) {
    if (derived_ == Derived::None) {
        setWindow(channel_, window);
    } else {
        setDerivedWindow(derivedPhase_, derived_ == Derived::Mip, window);
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

void StudyDocument::setCursor(const io::Index3& voxel) {
    if (study_ == nullptr) {
        return;
    }
    const io::Index3& size = study_->geometry().size;
    const auto clamp = [](std::int64_t v, std::int64_t n) {
        return std::clamp<std::int64_t>(v, 0, std::max<std::int64_t>(0, n - 1));
    };
    const io::Index3 c{clamp(voxel[0], size[0]), clamp(voxel[1], size[1]),
                       clamp(voxel[2], size[2])};
    if (c != cursor()) {
        cursorI_ = c[0];
        cursorJ_ = c[1];
        slice_ = c[2];
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

std::optional<std::array<float, io::kChannelCount>> StudyDocument::valuesAt(
    const io::Index3& voxel) const {
    if (study_ == nullptr || !study_->geometry().contains(voxel)) {
        return std::nullopt;
    }
    std::array<float, io::kChannelCount> values{};
    for (const io::Channel c : io::kAllChannels) {
        values[static_cast<std::size_t>(c)] = study_->channel(c).at(voxel[0], voxel[1], voxel[2]);
    }
    return values;
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
