#include "widgets/SliceView.h"

#include "widgets/VtkOpenGLWidget.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <QtConcurrent>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkSmartPointer.h>

#include <cmath>

namespace bmsc::viewer {

SliceView::SliceView(StudyDocument* document, ViewAxis axis, QWidget* parent)
    : QWidget(parent),
      document_(document),
      renderer_(std::make_unique<SliceRenderer>(axis)),
      axis_(axis) {
    setObjectName(axis == ViewAxis::Axial     ? QStringLiteral("sliceView")
                  : axis == ViewAxis::Coronal ? QStringLiteral("coronalView")
                                              : QStringLiteral("sagittalView"));
    setMinimumSize(200, 200);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    // paintEvent covers every pixel: Qt need not clear the background first.
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(document_, &StudyDocument::studyChanged, this, &SliceView::syncStudy);
    connect(document_, &StudyDocument::viewChanged, this, &SliceView::syncView);
    syncStudy();
}

SliceView::~SliceView() {
    dropSurface();
}

void SliceView::dropSurface() {
    if (gl_ == nullptr) {
        return;
    }
    // Deleting the surface finalises its render window with Qt's context current, which
    // releases the GL resources of every renderer in it; the window is kept alive until the
    // renderer is out of it, so that the renderer never points at a window that is gone.
    vtkSmartPointer<vtkGenericOpenGLRenderWindow> window = gl_->renderWindow();
    delete gl_;
    gl_ = nullptr;
    window->RemoveRenderer(renderer_->renderer());
}

void SliceView::setDisplay(Display display) {
    if (display == this->display()) {
        return;
    }
    if (display == Display::OpenGl) {
        gl_ = new VtkOpenGLWidget(this);
        gl_->setObjectName(objectName() + QStringLiteral("Gl"));
        // The surface only draws: input, focus and the cursor stay with the view.
        gl_->setAttribute(Qt::WA_TransparentForMouseEvents);
        gl_->setFocusPolicy(Qt::NoFocus);
        gl_->setGeometry(rect());
        renderer_->attach(gl_->renderWindow());
        connect(gl_, &QOpenGLWidget::frameSwapped, this, &SliceView::framePainted);
        gl_->show();
    } else {
        dropSurface();
    }
    redraw();
}

QImage SliceView::grabImage() {
    if (gl_ != nullptr) {
        return gl_->grabFramebuffer();
    }
    return renderer_->renderImage(width(), height());
}

double SliceView::lastPaintMs() const {
    return gl_ != nullptr ? gl_->lastPaintMs() : lastPaintMs_;
}

void SliceView::redraw() {
    if (gl_ != nullptr) {
        gl_->update();
    } else {
        update();
    }
}

void SliceView::paintEvent(QPaintEvent*) {
    if (gl_ != nullptr) {
        return;  // the surface covers the view
    }
    if (renderer_->pixelRatio() != devicePixelRatioF()) {
        fitRenderer();  // moved to a screen of another scale
    }
    QElapsedTimer clock;
    clock.start();
    QPainter painter(this);
    renderer_->paint(painter, width(), height());
    painter.end();
    lastPaintMs_ = static_cast<double>(clock.nsecsElapsed()) / 1e6;
    Q_EMIT framePainted();
}

void SliceView::fitRenderer() {
    // Texts and lines keep their size on a high-DPI screen; moving to a screen of another scale
    // changes the ratio, so this runs on resizes and screen changes.
    renderer_->setPixelRatio(devicePixelRatioF());
    renderer_->fitToViewport(width(), height());
}

void SliceView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (gl_ != nullptr) {
        gl_->setGeometry(rect());
    }
    fitRenderer();
}

void SliceView::setMipPane(bool mip) {
    mipPane_ = mip;
    if (mip) {
        setObjectName(QStringLiteral("mipView"));
    }
    syncView();
}

int SliceView::mipPhase() const {
    return document_->derivedPhase() > 0 ? document_->derivedPhase() : 1;
}

void SliceView::resetView() {
    renderer_->resetView();
    redraw();
}

void SliceView::zoomAt(double factor, const QPointF& at) {
    renderer_->zoomAbout(factor, at.x(), at.y(), width(), height());
    redraw();
}

void SliceView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (mipPane_) {
        syncView();  // computed only while visible
    }
}

void SliceView::setCrosshairVisible(bool visible) {
    crosshair_ = visible;
    syncView();
}

std::int64_t SliceView::viewSlice() const {
    return axis_ == ViewAxis::Axial ? document_->slice()
                                    : document_->cursor()[static_cast<std::size_t>(axis_)];
}

void SliceView::step(std::int64_t steps) {
    if (axis_ == ViewAxis::Axial) {
        document_->setSlice(document_->slice() + steps);
    } else {
        io::Index3 c = document_->cursor();
        c[static_cast<std::size_t>(axis_)] += steps;
        document_->setCursor(c);
    }
}

void SliceView::setOverlay(const OverlayLayer& overlay) {
    overlay_ = overlay;
    if (mipPane_ && !isVisible()) {
        return;  // projected when the pane is shown (syncView)
    }
    applyOverlay();
    redraw();
}

void SliceView::applyOverlay() {
    const bool onMip = mipPane_ || document_->derived() == StudyDocument::Derived::Mip;
    if (!onMip || overlay_.volume == nullptr || !document_->hasStudy()) {
        give(overlay_);
        return;
    }
    const int phase = mipPane_ ? mipPhase() : document_->derivedPhase();
    const auto subtraction =
        overlay_.colorMap == ColorMap::Kinetic ? document_->subtraction(phase) : nullptr;
    OverlayLayer drawn = overlay_;
    drawn.volume = projection_.cached(overlay_, subtraction);
    give(drawn);  // none while the projection is being computed
    if (drawn.volume != nullptr || !overlay_.visible ||
        (pendingSource_ == overlay_.volume && pendingSubtraction_ == subtraction)) {
        return;
    }
    // 2–16 ms for a 512 × 512 × 32 grid (OverlayProjection): not on the GUI thread.
    const int generation = ++projectionGeneration_;
    const OverlayLayer layer = overlay_;
    pendingSource_ = layer.volume;
    pendingSubtraction_ = subtraction;
    using Watcher = QFutureWatcher<std::shared_ptr<const io::Volume>>;
    auto* watcher = new Watcher(this);
    connect(watcher, &Watcher::finished, this, [this, watcher, generation, layer, subtraction] {
        watcher->deleteLater();
        if (generation != projectionGeneration_) {
            return;  // another overlay, phase or study was asked for since
        }
        pendingSource_.reset();
        pendingSubtraction_.reset();
        const auto projected = watcher->result();
        if (projected == nullptr) {
            return;  // nothing to draw (a kinetic map beside the subtraction's grid)
        }
        projection_.store(layer, subtraction, projected);
        applyOverlay();
        redraw();
    });
    watcher->setFuture(QtConcurrent::run(
        [layer, subtraction] { return OverlayProjection::compute(layer, subtraction); }));
}

void SliceView::give(const OverlayLayer& drawn) {
    // syncView runs on every slice step and channel switch: hand the renderer the layer only
    // when it changed (setOverlay re-wraps the volume and rebuilds the lookup table).
    if (drawn == given_) {
        return;
    }
    given_ = drawn;
    renderer_->setOverlay(drawn);
}

void SliceView::syncStudy() {
    if (document_->study() != shown_) {
        overlay_ = OverlayLayer{};  // an overlay belongs to the study it was computed from
        projection_ = OverlayProjection{};
        ++projectionGeneration_;  // a projection under way is of the old study's overlay
        pendingSource_.reset();
        pendingSubtraction_.reset();
        given_ = OverlayLayer{};
        renderer_->clearOverlay();
    }
    shown_ = document_->study();
    renderer_->setStudy(document_->sharedStudy());
    renderer_->fitToViewport(width(), height());
    syncView();
}

void SliceView::syncView() {
    if (document_->study() != shown_) {
        syncStudy();  // studyChanged not yet delivered: never draw a study that is gone
        return;
    }
    if (!document_->hasStudy()) {
        renderer_->setInfoText(tr("Open a study or a cohort (File menu)").toStdString());
        redraw();
        return;
    }
    if (mipPane_) {
        if (!isVisible()) {
            return;  // the MIP is computed when the pane is shown
        }
        const int phase = mipPhase();
        const WindowLevel w = document_->derivedWindow(phase, true);
        renderer_->setDisplayVolume(document_->mip(phase));
        applyOverlay();
        renderer_->setSlice(0);
        renderer_->setCrosshair(crosshair_ ? std::optional<io::Index3>(document_->cursor())
                                           : std::nullopt);
        renderer_->setWindow(w);
        renderer_->setInfoText(
            tr("MIP sub%1").arg(phase).toStdString(),
            tr("W %1  L %2").arg(w.width, 0, 'f', 0).arg(w.center, 0, 'f', 0).toStdString());
        redraw();
        return;
    }
    const io::Channel c = document_->channel();
    const WindowLevel w = document_->displayWindow();
    const QString name = QString::fromStdString(document_->displayName());
    renderer_->setChannel(c);
    renderer_->setDisplayVolume(document_->displayVolume());
    applyOverlay();
    renderer_->setSlice(viewSlice());
    renderer_->setCrosshair(crosshair_ ? std::optional<io::Index3>(document_->cursor())
                                       : std::nullopt);
    renderer_->setWindow(w);
    const QString caption =
        document_->derived() == StudyDocument::Derived::Mip
            ? name
            : tr("%1  slice %2/%3").arg(name).arg(viewSlice() + 1).arg(renderer_->sliceCount());
    renderer_->setInfoText(
        caption.toStdString(),
        tr("W %1  L %2").arg(w.width, 0, 'f', 0).arg(w.center, 0, 'f', 0).toStdString());
    redraw();
}

void SliceView::wheelEvent(QWheelEvent* event) {
    if (event->modifiers() & Qt::ControlModifier) {
        // 1.2× per notch, about the point under the cursor (smooth for high-resolution wheels).
        const double notches = event->angleDelta().y() / 120.0;
        if (notches != 0.0) {
            zoomAt(std::pow(1.2, notches), event->position());
        }
    } else if (const int steps = event->angleDelta().y() / 120; steps != 0 && !mipPane_) {
        step(steps);
    }
    event->accept();
}

void SliceView::keyPressEvent(QKeyEvent* event) {
    const std::int64_t page = std::max<std::int64_t>(1, renderer_->sliceCount() / 10);
    switch (event->key()) {
        case Qt::Key_Up:
        case Qt::Key_Right:
            step(1);
            break;
        case Qt::Key_Down:
        case Qt::Key_Left:
            step(-1);
            break;
        case Qt::Key_PageUp:
            step(page);
            break;
        case Qt::Key_PageDown:
            step(-page);
            break;
        default:
            event->ignore();  // channel keys and other shortcuts belong to the window
            return;
    }
    event->accept();
}

void SliceView::keyReleaseEvent(QKeyEvent* event) {
    event->ignore();
}

void SliceView::pick(const QPointF& position) {
    const auto voxel = renderer_->voxelAt(position.x(), position.y(), width(), height());
    if (!voxel) {
        return;
    }
    if (mipPane_ || document_->derived() == StudyDocument::Derived::Mip) {
        // A MIP pixel comes from the brightest voxel of its column: go there.
        const int phase = mipPane_ ? mipPhase() : document_->derivedPhase();
        document_->setCursor(
            {(*voxel)[0], (*voxel)[1], document_->brightestSlice(phase, (*voxel)[0], (*voxel)[1])});
    } else {
        document_->setCursor(*voxel);
    }
}

void SliceView::mousePressEvent(QMouseEvent* event) {
    if (!document_->hasStudy()) {
        return;
    }
    const bool pan =
        event->button() == Qt::MiddleButton ||
        (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier));
    if (pan) {
        panning_ = true;
        dragStart_ = event->position();
        event->accept();
    } else if (event->button() == Qt::LeftButton) {
        pick(event->position());  // a click moves the crosshair
        event->accept();
    } else if (event->button() == Qt::RightButton) {
        dragging_ = true;
        dragStart_ = event->position();
        dragWindow_ =
            mipPane_ ? document_->derivedWindow(mipPhase(), true) : document_->displayWindow();
        event->accept();
    }
}

void SliceView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() == Qt::RightButton) {
        dragging_ = false;
        event->accept();
    } else if (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton) {
        panning_ = false;
        event->accept();
    }
}

void SliceView::mouseMoveEvent(QMouseEvent* event) {
    if (panning_ && (event->buttons() & (Qt::MiddleButton | Qt::LeftButton))) {
        const QPointF d = event->position() - dragStart_;
        dragStart_ = event->position();
        renderer_->panBy(d.x(), d.y(), height());
        redraw();
        return;
    }
    if (dragging_ && (event->buttons() & Qt::RightButton)) {
        // Right: wider window (exponential, so that it never reaches zero); down: brighter
        // image (lower level). 200 pixels change the width by a factor e / the level by a width.
        const QPointF d = event->position() - dragStart_;
        WindowLevel w = dragWindow_;
        w.width = dragWindow_.width * std::exp(d.x() / 200.0);
        w.center = dragWindow_.center - d.y() / 200.0 * dragWindow_.width;
        if (mipPane_) {
            document_->setDerivedWindow(mipPhase(), true, w);
        } else {
            document_->setDisplayWindow(w);
        }
        return;
    }
    const auto voxel =
        renderer_->voxelAt(event->position().x(), event->position().y(), width(), height());
    if (!voxel) {
        Q_EMIT voxelHovered(-1, -1, -1);
    } else if (mipPane_ || document_->derived() == StudyDocument::Derived::Mip) {
        // A MIP has no depth: report the voxel of the current axial slice.
        Q_EMIT voxelHovered((*voxel)[0], (*voxel)[1], document_->slice());
    } else {
        Q_EMIT voxelHovered((*voxel)[0], (*voxel)[1], (*voxel)[2]);
    }
}

void SliceView::leaveEvent(QEvent* event) {
    Q_EMIT voxelHovered(-1, -1, -1);
    QWidget::leaveEvent(event);
}

}  // namespace bmsc::viewer
