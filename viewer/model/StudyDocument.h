#pragma once

#include "breastmsc/io/Study.h"
#include "model/SliceImage.h"

#include <QObject>

#include <array>
#include <memory>
#include <optional>

namespace bmsc::viewer {

/// The open study and how it is viewed: current channel, slice and a window/level per channel.
/// No widgets: views observe the change signals; tests drive it without a window.
class StudyDocument : public QObject {
    Q_OBJECT

public:
    explicit StudyDocument(QObject* parent = nullptr);

    bool hasStudy() const { return study_ != nullptr; }
    const io::Study* study() const { return study_.get(); }
    /// Takes a loaded study; the slice moves to the middle, windows are set automatically.
    void setStudy(std::shared_ptr<const io::Study> study);
    void clear();

    io::Channel channel() const { return channel_; }
    void setChannel(io::Channel channel);
    std::int64_t slice() const { return slice_; }
    std::int64_t sliceCount() const;
    void setSlice(std::int64_t slice);  ///< clamped to the study

    WindowLevel window(io::Channel channel) const;
    void setWindow(io::Channel channel, const WindowLevel& window);

    /// The values of all six channels at voxel (i, j) of the current slice.
    std::optional<std::array<float, io::kChannelCount>> valuesAt(std::int64_t i,
                                                                 std::int64_t j) const;

Q_SIGNALS:
    void studyChanged();
    void viewChanged();  ///< channel, slice or window changed

private:
    std::shared_ptr<const io::Study> study_;
    io::Channel channel_ = io::Channel::Pre;
    std::int64_t slice_ = 0;
    std::array<WindowLevel, io::kChannelCount> windows_{};
};

}  // namespace bmsc::viewer
