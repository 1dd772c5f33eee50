#pragma once

#include "model/StudyDocument.h"

#include <QObject>

#include <array>
#include <optional>

namespace bmsc::app {

/// Remembers the exact window/level a user set on an acquired channel ("pre" … "t2"), by a
/// right drag in any view, in QSettings ("windowLevels/<channel>/center" and ".../width"), and
/// gives it back to that channel whenever a study opens, also in later sessions. Choosing a
/// preset for the channel (applyPreset, as the Window/Level menu does) forgets it. A channel
/// without a remembered window opens with its preset. Subtractions and MIPs keep their presets
/// only.
///
/// Watches the document rather than the views: a change of a channel's window that is not a
/// study opening, a preset or a restore is the user's.
class WindowLevelMemory : public QObject {
    Q_OBJECT

public:
    explicit WindowLevelMemory(viewer::StudyDocument* document, QObject* parent = nullptr);

    /// Applies `preset` to what is shown (StudyDocument::applyPreset) and forgets the
    /// remembered window of the channel shown.
    void applyPreset(viewer::WindowPreset preset);

    /// The window remembered for `channel`, if any.
    static std::optional<viewer::WindowLevel> remembered(io::Channel channel);

private:
    void onStudyChanged();
    void onViewChanged();
    /// Takes the document's channel windows as known (no user change).
    void takeSnapshot();

    viewer::StudyDocument* document_;
    std::array<viewer::WindowLevel, io::kChannelCount> known_{};
    /// The study known_ belongs to: until studyChanged reaches the memory, a new study's
    /// preset windows are not the user's.
    const io::Study* study_ = nullptr;
    bool quiet_ = false;  ///< the memory's own changes (presets, restores) are not remembered
};

}  // namespace bmsc::app
