#pragma once

#include "model/StudyDocument.h"

#include <QWidget>

namespace bmsc::viewer {

/// Shows the document's current axial slice, aspect-correct from the voxel spacing.
/// Wheel scrolls slices; hovering reports the voxel under the cursor. Holds no state of its
/// own beyond the cached image.
class SliceView : public QWidget {
    Q_OBJECT

public:
    explicit SliceView(StudyDocument* document, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {640, 640}; }

Q_SIGNALS:
    void voxelHovered(qint64 i, qint64 j);  ///< i, j = -1 when outside the image

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRectF imageRect() const;
    void refresh();

    StudyDocument* document_;
    QImage image_;
};

}  // namespace bmsc::viewer
