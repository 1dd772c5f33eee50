#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace bmsc::app {

/// Help ▸ Keyboard Shortcuts: every action that has a shortcut (built from the actions, so it
/// is never out of date) and the mouse gestures and keys of the slice views.
class ShortcutsDialog : public QDialog {
    Q_OBJECT

public:
    ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);
};

}  // namespace bmsc::app
