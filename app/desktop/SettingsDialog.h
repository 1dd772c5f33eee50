#pragma once

#include <QDialog>

class QComboBox;

namespace bmsc::app {

/// Edit ▸ Preferences: the user interface language ("ui/language" in QSettings: empty for
/// the system's language, "en", "de"), applied the next time the application starts, and how
/// the slice views are drawn ("view/display": "software", the default, or "openGL", VTK through
/// OpenGL), applied at once (MainWindow::applyDisplay).
class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    /// Stores the choices (what OK does).
    void save();

private:
    QComboBox* language_ = nullptr;
    QComboBox* display_ = nullptr;
};

}  // namespace bmsc::app
