#pragma once

#include <QImage>
#include <QString>

namespace bmsc::app {

/// What File ▸ Save Screenshot captures.
enum class ScreenshotTarget { View, Window };

/// "<study>_<channel>.png" (view) or "<study>_window.png", with characters that file systems
/// dislike replaced by '_'.
QString screenshotFileName(const QString& study, const QString& channel, ScreenshotTarget target);

/// Writes `image` as PNG atomically (never a half-written file). False and `error` set
/// (naming the file) when it cannot.
bool savePng(const QImage& image, const QString& path, QString* error);

}  // namespace bmsc::app
