#include "WindowLevelMenu.h"

#include "WindowLevelMemory.h"

#include <QActionGroup>
#include <QSettings>

namespace bmsc::app {

namespace {
const QString kGroup = QStringLiteral("windowPresets");
}

QString WindowLevelMenu::presetName(viewer::WindowPreset preset) {
    switch (preset) {
        case viewer::WindowPreset::Automatic:
            return tr("&Automatic (1st-99.5th percentile)");
        case viewer::WindowPreset::FullRange:
            return tr("&Full Range (minimum-maximum)");
        case viewer::WindowPreset::T1Dynamic:
            return tr("T&1 Dynamic (2nd-99.8th percentile)");
        case viewer::WindowPreset::Subtraction:
            return tr("&Subtraction (median-99.9th percentile)");
        case viewer::WindowPreset::T2:
            return tr("T&2 (1st-99.9th percentile)");
        case viewer::WindowPreset::HighContrast:
            break;
    }
    return tr("&High Contrast (25th-99th percentile)");
}

WindowLevelMenu::WindowLevelMenu(viewer::StudyDocument* document, QWidget* parent)
    : QMenu(tr("&Window/Level"), parent),
      document_(document),
      group_(new QActionGroup(this)),
      memory_(new WindowLevelMemory(document, this)) {
    setObjectName(QStringLiteral("windowLevelMenu"));
    QSettings settings;
    settings.beginGroup(kGroup);
    for (const QString& key : settings.childKeys()) {
        if (const auto preset =
                viewer::presetFromKey(settings.value(key).toString().toStdString())) {
            document_->setPreset(key.toStdString(), *preset);
        }
    }
    int n = 2;
    for (const auto& info : viewer::windowPresets()) {
        QAction* a = addAction(presetName(info.preset));
        a->setObjectName(QStringLiteral("preset_") + QString::fromLatin1(info.key));
        a->setCheckable(true);
        a->setShortcut(QKeySequence(QStringLiteral("F%1").arg(n++)));
        a->setData(static_cast<int>(info.preset));
        group_->addAction(a);
        connect(a, &QAction::triggered, this, [this, p = info.preset] { apply(p); });
    }
    connect(document_, &viewer::StudyDocument::viewChanged, this, &WindowLevelMenu::syncChecks);
    syncChecks();
}

void WindowLevelMenu::apply(viewer::WindowPreset preset) {
    memory_->applyPreset(preset);  // also forgets a window dragged by hand
    QSettings().setValue(
        kGroup + QLatin1Char('/') + QString::fromStdString(document_->displayKey()),
        QString::fromLatin1(viewer::presetInfo(preset).key));
}

void WindowLevelMenu::syncChecks() {
    const auto preset = static_cast<int>(document_->preset(document_->displayKey()));
    for (QAction* a : group_->actions()) {
        if (a->data().toInt() == preset) {
            a->setChecked(true);
        }
    }
}

}  // namespace bmsc::app
