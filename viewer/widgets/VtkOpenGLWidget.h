#pragma once

#include <QOpenGLWidget>

#include <vtkNew.h>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkObject;

namespace bmsc::viewer {

/// The Qt 6 ↔ VTK bridge (PLATFORM-NOTES.md, "Qt 6 and VTK 9.1"): a QOpenGLWidget that drives
/// a vtkGenericOpenGLRenderWindow in Qt's GL context. VTK renders into its own framebuffer,
/// paintGL blits that into Qt's default framebuffer; resize and input events go to a
/// vtkGenericRenderWindowInteractor with the y axis flipped. Debian's VTK Qt module is Qt 5
/// only, hence this class. Subclasses add renderers to renderWindow() and may override the
/// event handlers to handle input themselves (then nothing reaches VTK's interactor).
class VtkOpenGLWidget : public QOpenGLWidget {
    Q_OBJECT

public:
    explicit VtkOpenGLWidget(QWidget* parent = nullptr);
    ~VtkOpenGLWidget() override;

    vtkGenericOpenGLRenderWindow* renderWindow() const;
    vtkGenericRenderWindowInteractor* interactor() const;
    /// Wall time of the last paintGL (VTK render + blit into Qt's framebuffer), for benchmarks.
    double lastPaintMs() const { return lastPaintMs_; }

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;

    /// Device pixels of a widget position (VTK works in framebuffer pixels).
    QPointF toDevice(const QPointF& p) const { return p * devicePixelRatioF(); }

private:
    /// Releases VTK's GL resources while Qt's context still exists (widget destroyed, or the
    /// context recreated when the widget moves to another top-level window).
    void releaseGl();
    void onVtkEvent(vtkObject* caller, unsigned long event, void* callData);
    void forwardMouse(QMouseEvent* event, unsigned long vtkEvent);
    void forwardKey(QKeyEvent* event, unsigned long vtkEvent);

    vtkNew<vtkGenericOpenGLRenderWindow> window_;
    vtkNew<vtkGenericRenderWindowInteractor> interactor_;
    bool initialized_ = false;
    bool inPaint_ = false;
    double lastPaintMs_ = 0.0;
};

}  // namespace bmsc::viewer
