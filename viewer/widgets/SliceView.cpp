#include "widgets/SliceView.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

namespace bmsc::viewer {

SliceView::SliceView(StudyDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    setObjectName(QStringLiteral("sliceView"));
    setMouseTracking(true);
    setFocusPolicy(Qt::WheelFocus);
    setMinimumSize(200, 200);
    connect(document_, &StudyDocument::viewChanged, this, &SliceView::refresh);
    connect(document_, &StudyDocument::studyChanged, this, &SliceView::refresh);
}

void SliceView::refresh() {
    if (!document_->hasStudy()) {
        image_ = QImage();
    } else {
        const io::Volume& v = document_->study()->channel(document_->channel());
        image_ = axialSlice(v, document_->slice(), document_->window(document_->channel()));
    }
    update();
}

QRectF SliceView::imageRect() const {
    if (image_.isNull()) {
        return {};
    }
    const auto& spacing = document_->study()->geometry().spacing;
    const double physicalW = image_.width() * spacing[0];
    const double physicalH = image_.height() * spacing[1];
    const double scale = std::min(width() / physicalW, height() / physicalH);
    const double w = physicalW * scale;
    const double h = physicalH * scale;
    return {(width() - w) / 2.0, (height() - h) / 2.0, w, h};
}

void SliceView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (image_.isNull()) {
        painter.setPen(Qt::gray);
        painter.drawText(rect(), Qt::AlignCenter, tr("Open a study or a cohort (File menu)"));
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(imageRect(), image_);
    painter.setPen(Qt::yellow);
    painter.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignTop | Qt::AlignLeft,
                     tr("%1  slice %2/%3")
                         .arg(QString::fromLatin1(io::channelName(document_->channel()).data()))
                         .arg(document_->slice() + 1)
                         .arg(document_->sliceCount()));
}

void SliceView::wheelEvent(QWheelEvent* event) {
    const int steps = event->angleDelta().y() / 120;
    if (steps != 0) {
        document_->setSlice(document_->slice() + steps);
    }
    event->accept();
}

void SliceView::mouseMoveEvent(QMouseEvent* event) {
    const QRectF r = imageRect();
    if (r.isEmpty() || !r.contains(event->position())) {
        Q_EMIT voxelHovered(-1, -1);
        return;
    }
    const auto i =
        static_cast<qint64>((event->position().x() - r.left()) / r.width() * image_.width());
    const auto j =
        static_cast<qint64>((event->position().y() - r.top()) / r.height() * image_.height());
    Q_EMIT voxelHovered(i, j);
}

}  // namespace bmsc::viewer
