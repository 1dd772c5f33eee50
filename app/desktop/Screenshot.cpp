#include "Screenshot.h"

#include "breastmsc/io/AtomicFile.h"

#include <QBuffer>
#include <QImageWriter>
#include <QRegularExpression>

#include <exception>

namespace bmsc::app {

QString screenshotFileName(const QString& study, const QString& channel, ScreenshotTarget target) {
    QString name = (study.isEmpty() ? QStringLiteral("breastmsc") : study) + QLatin1Char('_') +
                   (target == ScreenshotTarget::Window ? QStringLiteral("window") : channel);
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("_"));
    return name + QStringLiteral(".png");
}

bool savePng(const QImage& image, const QString& path, QString* error) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (image.isNull() || !writer.write(image)) {
        *error = QStringLiteral("%1: %2").arg(path, writer.errorString());
        return false;
    }
    try {
        io::writeFileAtomically(path.toStdString(), [&bytes](std::ostream& out) {
            out.write(bytes.constData(), static_cast<std::streamsize>(bytes.size()));
        });
    } catch (const std::exception& e) {
        *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

}  // namespace bmsc::app
