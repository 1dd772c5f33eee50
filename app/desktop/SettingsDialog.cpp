#include "SettingsDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QVBoxLayout>

namespace bmsc::app {

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Preferences"));
    language_ = new QComboBox(this);
    language_->setObjectName(QStringLiteral("languageCombo"));
    language_->addItem(tr("System language"), QString());
    // Language names in their own language, as users look for them.
    language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
    language_->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    const QString current = QSettings().value(QStringLiteral("ui/language")).toString();
    language_->setCurrentIndex(std::max(0, language_->findData(current)));

    display_ = new QComboBox(this);
    display_->setObjectName(QStringLiteral("displayCombo"));
    display_->addItem(tr("Software (fast everywhere)"), QStringLiteral("software"));
    display_->addItem(tr("OpenGL (VTK)"), QStringLiteral("opengl"));
    display_->setToolTip(
        tr("Both draw the same picture. Software drawing needs no graphics "
           "card and keeps scrolling smooth over remote or virtual displays."));
    const QString display =
        QSettings().value(QStringLiteral("view/display"), QStringLiteral("software")).toString();
    display_->setCurrentIndex(std::max(0, display_->findData(display)));

    auto* note = new QLabel(tr("The language changes the next time BreastMSC starts."), this);
    note->setWordWrap(true);
    auto* form = new QFormLayout;
    form->addRow(tr("&Language:"), language_);
    form->addRow(tr("&Draw slices with:"), display_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addStretch();
    layout->addWidget(buttons);
}

void SettingsDialog::save() {
    QSettings settings;
    settings.setValue(QStringLiteral("ui/language"), language_->currentData().toString());
    settings.setValue(QStringLiteral("view/display"), display_->currentData().toString());
}

}  // namespace bmsc::app
