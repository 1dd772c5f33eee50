#pragma once

#include <QDialog>

class QComboBox;

namespace bmsc::app {

/// Edit ▸ Preferences: the user interface language ("ui/language" in QSettings: empty for
/// the system's language, "en", "de"), applied the next time the application starts.
class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    explicit SettingsDialog(QWidget* parent = nullptr);

    /// Stores the choices (what OK does).
    void save();

private:
    QComboBox* language_ = nullptr;
};

}  // namespace bmsc::app
