#include "WindowLevelMemory.h"

#include <QSettings>
#include <QString>

#include <cmath>

namespace bmsc::app {

namespace {

const QString kGroup = QStringLiteral("windowLevels");

QString channelKey(io::Channel channel) {
    return kGroup + QLatin1Char('/') + QString::fromLatin1(io::channelName(channel).data());
}

bool same(const viewer::WindowLevel& a, const viewer::WindowLevel& b) {
    return a.center == b.center && a.width == b.width;
}

}  // namespace

WindowLevelMemory::WindowLevelMemory(viewer::StudyDocument* document, QObject* parent)
    : QObject(parent), document_(document) {
    setObjectName(QStringLiteral("windowLevelMemory"));
    connect(document_, &viewer::StudyDocument::studyChanged, this,
            &WindowLevelMemory::onStudyChanged);
    connect(document_, &viewer::StudyDocument::viewChanged, this,
            &WindowLevelMemory::onViewChanged);
    takeSnapshot();
}

std::optional<viewer::WindowLevel> WindowLevelMemory::remembered(io::Channel channel) {
    QSettings settings;
    settings.beginGroup(channelKey(channel));
    bool centerOk = false;
    bool widthOk = false;
    const double center = settings.value(QStringLiteral("center")).toDouble(&centerOk);
    const double width = settings.value(QStringLiteral("width")).toDouble(&widthOk);
    if (!centerOk || !widthOk || !std::isfinite(center) || !std::isfinite(width) ||
        !(width > 0.0)) {
        return std::nullopt;  // none, or not written by us
    }
    return viewer::WindowLevel{center, width};
}

void WindowLevelMemory::applyPreset(viewer::WindowPreset preset) {
    quiet_ = true;
    document_->applyPreset(preset);
    quiet_ = false;
    takeSnapshot();
    if (document_->derived() == viewer::StudyDocument::Derived::None) {
        QSettings().remove(channelKey(document_->channel()));
    }
}

void WindowLevelMemory::onStudyChanged() {
    // The document has just set every channel's window from its preset: put the remembered
    // ones over them.
    quiet_ = true;
    if (document_->hasStudy()) {
        for (const io::Channel c : io::kAllChannels) {
            if (const auto window = remembered(c)) {
                document_->setWindow(c, *window);
            }
        }
    }
    quiet_ = false;
    takeSnapshot();
}

void WindowLevelMemory::onViewChanged() {
    if (quiet_ || !document_->hasStudy() || document_->study() != study_) {
        return;
    }
    for (const io::Channel c : io::kAllChannels) {
        const viewer::WindowLevel window = document_->window(c);
        auto& known = known_[static_cast<std::size_t>(c)];
        if (!same(window, known)) {
            known = window;
            QSettings settings;
            settings.beginGroup(channelKey(c));
            settings.setValue(QStringLiteral("center"), window.center);
            settings.setValue(QStringLiteral("width"), window.width);
        }
    }
}

void WindowLevelMemory::takeSnapshot() {
    study_ = document_->study();
    for (const io::Channel c : io::kAllChannels) {
        known_[static_cast<std::size_t>(c)] = document_->window(c);
    }
}

}  // namespace bmsc::app
