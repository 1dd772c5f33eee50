#pragma once

#include <QImage>
#include <QWidget>
#include "model/OverlayProjection.h"
#include "model/StudyDocument.h"
#include "render/SliceRenderer.h"

#include <memory>

namespace bmsc::viewer {

/// The axial view of the document: the current channel's slice with its window/level, the
/// overlay and orientation labels (SliceRenderer), drawn on the CPU into the widget (Display::
/// Software, the default: a few milliseconds a frame whatever the OpenGL) or by VTK through the
/// Qt 6 ↔ VTK bridge (Display::OpenGl: a VtkOpenGLWidget child that covers the view and leaves
/// all input to it).
/// User intent goes to the document: wheel and Up/Down/PageUp/PageDown scroll slices, a right
/// drag changes the window (horizontal: width, vertical: level). Ctrl+wheel zooms about the
/// cursor, a middle drag (or Shift+left drag) pans, resetView() fits the slice again; zoom and
/// pan are this view's own camera (SliceRenderer). Hovering reports the voxel under the cursor.
/// Holds no state of its own beyond the pipeline and the camera.
class VtkOpenGLWidget;

class SliceView : public QWidget {
    Q_OBJECT

public:
    /// How the view is drawn; both show the same picture (tests/viewer/TestSliceRaster.cpp).
    enum class Display { Software, OpenGl };

    /// An axial, coronal or sagittal view. Axial views scroll the document's slice; coronal and
    /// sagittal views move the crosshair's j or i. A left click moves the crosshair, which all
    /// views of the document show (when setCrosshairVisible).
    explicit SliceView(StudyDocument* document, ViewAxis axis = ViewAxis::Axial,
                       QWidget* parent = nullptr);
    void setCrosshairVisible(bool visible);
    ~SliceView() override;

    /// A fixed MIP pane: shows the maximum intensity projection of the document's current
    /// subtraction (of sub1 while an acquired channel is shown) whatever the main channel is,
    /// with its own window/level. A click moves the crosshair to the brightest voxel of the
    /// clicked column. Computed only while the view is visible.
    void setMipPane(bool mip);
    bool isMipPane() const { return mipPane_; }

    /// Zoom and pan back to the fitted slice.
    void resetView();
    /// Zooms by `factor` about widget position `at` (what Ctrl+wheel does).
    void zoomAt(double factor, const QPointF& at);
    QSize sizeHint() const override { return {640, 640}; }

    /// The overlay drawn over every slice (kinetic map, heat map); hidden when not on the grid,
    /// removed when the document opens another study. Over a MIP (the MIP pane, or the main
    /// view showing a MIP) its projection is drawn (OverlayProjection: the maximum of a
    /// continuous map, the category at the MIP's brightest voxel of the kinetic map), computed
    /// on a worker when first needed (nothing is drawn meanwhile) and cached for that overlay.
    void setOverlay(const OverlayLayer& overlay);
    SliceRenderer* sliceRenderer() { return renderer_.get(); }

    void setDisplay(Display display);
    Display display() const { return gl_ != nullptr ? Display::OpenGl : Display::Software; }
    /// The view as shown, in device pixels (what a screenshot of the view saves).
    QImage grabImage();
    /// Wall time of the last frame's drawing (paintEvent, or the GL surface's paintGL).
    double lastPaintMs() const;

Q_SIGNALS:
    void voxelHovered(qint64 i, qint64 j, qint64 k);  ///< all -1 when outside the image
    /// A frame was drawn (paintEvent of the software display, frameSwapped of the OpenGL one).
    void framePainted();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    /// Back to the software display: the GL surface goes, the renderer leaves its window.
    void dropSurface();
    /// Schedules a frame on whichever surface draws the view.
    void redraw();
    /// Pixel ratio and viewport size to the renderer (on resizes; a screen of another scale is
    /// noticed when painting).
    void fitRenderer();
    void syncStudy();
    void syncView();
    /// Moves this view's slice by `steps` (document slice, or the crosshair's j or i).
    void step(std::int64_t steps);
    std::int64_t viewSlice() const;
    int mipPhase() const;
    /// Moves the crosshair to the voxel under `position` (of a MIP: the brightest in depth).
    void pick(const QPointF& position);
    /// Hands the overlay (or, over a MIP, its projection) to the renderer.
    void applyOverlay();
    /// renderer_->setOverlay(drawn) unless it is what the renderer already has.
    void give(const OverlayLayer& drawn);

    StudyDocument* document_;
    std::unique_ptr<SliceRenderer> renderer_;
    VtkOpenGLWidget* gl_ = nullptr;  ///< the OpenGL display's surface, a child; null: software
    double lastPaintMs_ = 0.0;       ///< of the software display
    ViewAxis axis_;
    bool crosshair_ = false;
    const io::Study* shown_ = nullptr;
    OverlayLayer overlay_;
    OverlayLayer given_;  ///< what the renderer was last given (overlay_ or its projection)
    OverlayProjection projection_;
    int projectionGeneration_ = 0;                     ///< a result of an older request is dropped
    std::shared_ptr<const io::Volume> pendingSource_;  ///< being projected now, with:
    std::shared_ptr<const io::Volume> pendingSubtraction_;
    bool mipPane_ = false;
    bool dragging_ = false;
    bool panning_ = false;
    QPointF dragStart_;
    WindowLevel dragWindow_;
};

}  // namespace bmsc::viewer
