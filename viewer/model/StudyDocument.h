#pragma once

#include "breastmsc/io/Study.h"
#include "model/SliceImage.h"
#include "model/Subtractions.h"
#include "model/WindowPresets.h"

#include <QObject>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace bmsc::viewer {

/// The open study and how it is viewed: current channel, slice and a window/level per channel.
/// No widgets: views observe the change signals; tests drive it without a window.
class StudyDocument : public QObject {
    Q_OBJECT

public:
    explicit StudyDocument(QObject* parent = nullptr);
    ~StudyDocument() override;

    bool hasStudy() const { return study_ != nullptr; }
    const io::Study* study() const { return study_.get(); }
    /// The same study, for views that keep its voxels alive while they draw them.
    std::shared_ptr<const io::Study> sharedStudy() const { return study_; }
    /// Takes a loaded study; the slice moves to the middle, windows are set automatically.
    void setStudy(std::shared_ptr<const io::Study> study);
    void clear();

    io::Channel channel() const { return channel_; }
    /// Shows an acquired channel (and leaves any subtraction or MIP).
    void setChannel(io::Channel channel);

    /// Derived images shown instead of an acquired channel: postN − pre, or its MIP along k.
    enum class Derived { None, Subtraction, Mip };
    Derived derived() const { return derived_; }
    int derivedPhase() const { return derivedPhase_; }  ///< 1…4 while derived() != None
    /// Shows subtraction post`phase` − pre (or its MIP); computed on first use, then cached.
    /// IoError InvalidArgument for a phase outside 1…4; ignored without a study.
    void showSubtraction(int phase, bool mip = false);
    /// The derived volume shown now, or null while an acquired channel is shown.
    std::shared_ptr<const io::Volume> displayVolume();
    /// "pre" … "t2", "sub2", "MIP sub2": what is shown, for overlays and captions.
    std::string displayName() const;
    /// "pre" … "t2", "sub1" … "sub4", "mip1" … "mip4": what is shown, as a settings key.
    std::string displayKey() const;

    /// The MIP of subtraction post`phase` − pre and its own window (set automatically, by the
    /// remembered preset, when first asked for), for a MIP pane next to the main view; null
    /// without a study. `phase` 1…4.
    std::shared_ptr<const io::Volume> mip(int phase);
    /// Subtraction post`phase` − pre (computed on first use, then cached); null without a study.
    std::shared_ptr<const io::Volume> subtraction(int phase);
    WindowLevel derivedWindow(int phase, bool mip);
    void setDerivedWindow(int phase, bool mip, const WindowLevel& window);
    /// The slice k at which subtraction `phase` is brightest in column (i, j): where a MIP's
    /// pixel comes from. 0 without a study or outside the grid.
    std::int64_t brightestSlice(int phase, std::int64_t i, std::int64_t j);

    /// Window presets remembered per display key ("pre", "sub1", "mip2", …; when none:
    /// Subtraction for subtractions and MIPs, else Automatic): a study opens, and a derived
    /// image first shows, with its key's preset.
    WindowPreset preset(const std::string& key) const;
    void setPreset(const std::string& key, WindowPreset preset);  ///< memory only
    const std::map<std::string, WindowPreset>& presets() const { return presets_; }
    /// Applies `preset` to what is shown now and remembers it for its key.
    void applyPreset(WindowPreset preset);
    /// Window/level of what is shown (a channel's or a derived image's own, remembered).
    WindowLevel displayWindow() const;
    void setDisplayWindow(const WindowLevel& window);
    std::int64_t slice() const { return slice_; }
    std::int64_t sliceCount() const;
    void setSlice(std::int64_t slice);  ///< clamped to the study

    /// The crosshair: a voxel of the study linking the axial (k), coronal (j) and sagittal (i)
    /// views. Its k is always slice(); setSlice moves it, setCursor moves the slice.
    io::Index3 cursor() const { return {cursorI_, cursorJ_, slice_}; }
    void setCursor(const io::Index3& voxel);  ///< clamped to the study

    WindowLevel window(io::Channel channel) const;
    void setWindow(io::Channel channel, const WindowLevel& window);

    /// The values of all six channels at voxel (i, j) of the current slice.
    std::optional<std::array<float, io::kChannelCount>> valuesAt(std::int64_t i,
                                                                 std::int64_t j) const;
    /// The values of all six channels at any voxel of the study.
    std::optional<std::array<float, io::kChannelCount>> valuesAt(const io::Index3& voxel) const;

Q_SIGNALS:
    void studyChanged();
    void viewChanged();  ///< channel, slice or window changed

private:
    std::shared_ptr<const io::Study> study_;
    io::Channel channel_ = io::Channel::Pre;
    std::int64_t slice_ = 0;
    std::int64_t cursorI_ = 0;
    std::int64_t cursorJ_ = 0;
    std::array<WindowLevel, io::kChannelCount> windows_{};
    Derived derived_ = Derived::None;
    int derivedPhase_ = 0;
    std::unique_ptr<Subtractions> subtractions_;
    /// Windows of sub1…sub4 then MIP sub1…sub4, set automatically when first shown.
    std::array<WindowLevel, 8> derivedWindows_{};
    std::array<bool, 8> derivedWindowSet_{};
    std::map<std::string, WindowPreset> presets_;
    std::size_t derivedSlot() const;
    static std::string derivedKey(int phase, bool mip);
    /// Derived volume `phase` (or its MIP), its window set on first use.
    std::shared_ptr<const io::Volume> derivedVolume(int phase, bool mip);
};

}  // namespace bmsc::viewer
