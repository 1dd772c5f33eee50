#include "widgets/VtkOpenGLWidget.h"

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QWheelEvent>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>

namespace bmsc::viewer {

VtkOpenGLWidget::VtkOpenGLWidget(QWidget* parent) : QOpenGLWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    // Qt renders with its own context; VTK must not swap, blit or create anything itself.
    window_->SetReadyForRendering(false);
    window_->SetFrameBlitModeToNoBlit();
    window_->SetMultiSamples(0);
    interactor_->SetRenderWindow(window_);
    interactor_->SetInteractorStyle(nullptr);  // subclasses decide what input means
    interactor_->Enable();                     // Render() does nothing on a disabled interactor

    vtkNew<vtkCallbackCommand> command;
    command->SetClientData(this);
    command->SetCallback([](vtkObject* caller, unsigned long event, void* client, void* call) {
        static_cast<VtkOpenGLWidget*>(client)->onVtkEvent(caller, event, call);
    });
    window_->AddObserver(vtkCommand::WindowMakeCurrentEvent, command);
    window_->AddObserver(vtkCommand::WindowIsCurrentEvent, command);
    window_->AddObserver(vtkCommand::WindowFrameEvent, command);
}

VtkOpenGLWidget::~VtkOpenGLWidget() {
    releaseGl();
    window_->RemoveAllObservers();
}

void VtkOpenGLWidget::releaseGl() {
    // Finalize only what was initialised, once, with Qt's context current.
    if (!initialized_) {
        return;
    }
    initialized_ = false;
    if (context() != nullptr && context()->isValid()) {
        makeCurrent();
        window_->Finalize();
        doneCurrent();
    }
    window_->SetReadyForRendering(false);
}

vtkGenericOpenGLRenderWindow* VtkOpenGLWidget::renderWindow() const {
    return window_.Get();
}

vtkGenericRenderWindowInteractor* VtkOpenGLWidget::interactor() const {
    return interactor_.Get();
}

void VtkOpenGLWidget::onVtkEvent(vtkObject*, unsigned long event, void* callData) {
    switch (event) {
        case vtkCommand::WindowMakeCurrentEvent:
            // Not QOpenGLWidget::makeCurrent(): that rebinds Qt's framebuffer mid-render.
            if (QOpenGLContext* ctx = context(); ctx != nullptr && ctx->surface() != nullptr) {
                ctx->makeCurrent(ctx->surface());
            }
            break;
        case vtkCommand::WindowIsCurrentEvent:
            *static_cast<bool*>(callData) =
                context() != nullptr && QOpenGLContext::currentContext() == context();
            break;
        case vtkCommand::WindowFrameEvent:
            // A render outside paintGL (someone called Render()): show it. Inside paintGL the
            // frame is on its way already; update() there would repaint forever.
            if (!inPaint_) {
                update();
            }
            break;
        default:
            break;
    }
}

void VtkOpenGLWidget::initializeGL() {
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkOpenGLWidget::releaseGl,
            Qt::UniqueConnection);
    window_->GetState()->Reset();
    window_->GetState()->vtkglDepthFunc(GL_LEQUAL);
    window_->SetForceMaximumHardwareLineWidth(1);
    window_->SetReadyForRendering(true);
    window_->SetOwnContext(0);
    window_->OpenGLInitContext();
    initialized_ = true;
    resizeGL(width(), height());
}

void VtkOpenGLWidget::resizeGL(int, int) {
    const QSize device = size() * devicePixelRatioF();
    interactor_->UpdateSize(device.width(), device.height());
    window_->SetScreenSize(device.width(), device.height());
    window_->SetSize(device.width(), device.height());
}

void VtkOpenGLWidget::paintGL() {
    if (!initialized_) {
        return;
    }
    QElapsedTimer clock;
    clock.start();
    vtkOpenGLState* state = window_->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);
    state->PushFramebufferBindings();
    inPaint_ = true;
    interactor_->Render();  // into VTK's own framebuffer (no blit, no swap)
    inPaint_ = false;
    state->PopFramebufferBindings();
    // Copy into Qt's framebuffer, which QOpenGLWidget then composes into the window.
    const QSize device = size() * devicePixelRatioF();
    const int* source = window_->GetSize();
    state->vtkglBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    state->vtkglDrawBuffer(GL_COLOR_ATTACHMENT0);
    state->vtkglDisable(GL_SCISSOR_TEST);
    window_->BlitDisplayFramebuffer(0, 0, 0, source[0], source[1], 0, 0, device.width(),
                                    device.height(), GL_COLOR_BUFFER_BIT, GL_NEAREST);
    state->vtkglViewport(0, 0, device.width(), device.height());
    // Opaque alpha: Qt composes the widget with blending.
    state->vtkglColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    state->vtkglClearColor(0.0, 0.0, 0.0, 1.0);
    state->vtkglClear(GL_COLOR_BUFFER_BIT);
    state->vtkglColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    state->Pop();
    lastPaintMs_ = static_cast<double>(clock.nsecsElapsed()) / 1e6;
}

void VtkOpenGLWidget::forwardMouse(QMouseEvent* event, unsigned long vtkEvent) {
    const QPointF p = toDevice(event->position());
    interactor_->SetEventInformationFlipY(static_cast<int>(p.x()), static_cast<int>(p.y()),
                                          (event->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (event->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    interactor_->SetAltKey((event->modifiers() & Qt::AltModifier) ? 1 : 0);
    interactor_->InvokeEvent(vtkEvent, event);
}

void VtkOpenGLWidget::mousePressEvent(QMouseEvent* event) {
    switch (event->button()) {
        case Qt::LeftButton:
            forwardMouse(event, vtkCommand::LeftButtonPressEvent);
            break;
        case Qt::MiddleButton:
            forwardMouse(event, vtkCommand::MiddleButtonPressEvent);
            break;
        case Qt::RightButton:
            forwardMouse(event, vtkCommand::RightButtonPressEvent);
            break;
        default:
            break;
    }
}

void VtkOpenGLWidget::mouseReleaseEvent(QMouseEvent* event) {
    switch (event->button()) {
        case Qt::LeftButton:
            forwardMouse(event, vtkCommand::LeftButtonReleaseEvent);
            break;
        case Qt::MiddleButton:
            forwardMouse(event, vtkCommand::MiddleButtonReleaseEvent);
            break;
        case Qt::RightButton:
            forwardMouse(event, vtkCommand::RightButtonReleaseEvent);
            break;
        default:
            break;
    }
}

void VtkOpenGLWidget::mouseMoveEvent(QMouseEvent* event) {
    forwardMouse(event, vtkCommand::MouseMoveEvent);
}

void VtkOpenGLWidget::wheelEvent(QWheelEvent* event) {
    const QPointF p = toDevice(event->position());
    interactor_->SetEventInformationFlipY(static_cast<int>(p.x()), static_cast<int>(p.y()),
                                          (event->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                          (event->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    if (event->angleDelta().y() > 0) {
        interactor_->InvokeEvent(vtkCommand::MouseWheelForwardEvent, event);
    } else if (event->angleDelta().y() < 0) {
        interactor_->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, event);
    }
}

void VtkOpenGLWidget::forwardKey(QKeyEvent* event, unsigned long vtkEvent) {
    const QByteArray text = event->text().toLatin1();
    interactor_->SetKeyEventInformation(
        (event->modifiers() & Qt::ControlModifier) ? 1 : 0,
        (event->modifiers() & Qt::ShiftModifier) ? 1 : 0, text.isEmpty() ? '\0' : text[0],
        event->isAutoRepeat() ? 1 : 0, text.isEmpty() ? nullptr : text.constData());
    interactor_->InvokeEvent(vtkEvent, event);
}

void VtkOpenGLWidget::keyPressEvent(QKeyEvent* event) {
    forwardKey(event, vtkCommand::KeyPressEvent);
}

void VtkOpenGLWidget::keyReleaseEvent(QKeyEvent* event) {
    forwardKey(event, vtkCommand::KeyReleaseEvent);
}

}  // namespace bmsc::viewer
