#pragma once

#include "model/StudyDocument.h"

#include <QMenu>

class QActionGroup;

namespace bmsc::app {

class WindowLevelMemory;

/// The Window/Level menu: the presets of viewer::windowPresets (automatic from percentiles,
/// full range, T1 dynamic, subtraction, T2, high contrast) applied to what the main view shows.
/// The preset chosen for each channel ("pre" … "t2", "sub1", "mip2", …) is kept in QSettings
/// ("windowPresets/<channel>") and used whenever that channel is first shown, also in later
/// sessions. Actions: objectName "preset_<key>", keys F2 … F7. A window dragged by hand on an
/// acquired channel is remembered too (WindowLevelMemory) until a preset is chosen for it.
class WindowLevelMenu : public QMenu {
    Q_OBJECT

public:
    WindowLevelMenu(viewer::StudyDocument* document, QWidget* parent = nullptr);

    /// The menu text of a preset.
    static QString presetName(viewer::WindowPreset preset);

private:
    void apply(viewer::WindowPreset preset);
    void syncChecks();

    viewer::StudyDocument* document_;
    QActionGroup* group_;
    WindowLevelMemory* memory_;
};

}  // namespace bmsc::app
