// MainWindow, continued: the File and View menus, view layouts, screenshots, shortcuts help
// and drag and drop (MainWindow.cpp holds the window's construction and study loading).
#include "MainWindow.h"

#include "RecentFiles.h"
#include "SeriesAssignmentDialog.h"
#include "SettingsDialog.h"
#include "ShortcutsDialog.h"
#include "StudyLoader.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>

#include <array>
#include <functional>

namespace bmsc::app {

namespace {

/// The first local folder among dropped URLs, or empty.
QString droppedFolder(const QMimeData* data) {
    if (data == nullptr || !data->hasUrls()) {
        return {};
    }
    for (const QUrl& url : data->urls()) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isDir()) {
            return url.toLocalFile();
        }
    }
    return {};
}

}  // namespace

void MainWindow::buildFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openStudy =
        file->addAction(tr("Open &Study Folder..."), this, &MainWindow::openStudyDialog);
    openStudy->setShortcut(QKeySequence::Open);
    QAction* openCohort =
        file->addAction(tr("Open &Cohort..."), this, &MainWindow::openCohortDialog);
    openCohort->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    recent_ = new RecentFiles(file->addMenu(tr("Open &Recent")), this);
    connect(recent_, &RecentFiles::chosen, this, &MainWindow::openPath);
    file->addSeparator();
    QAction* shotView = file->addAction(tr("Save Screenshot of &View..."), this,
                                        [this] { saveScreenshotDialog(ScreenshotTarget::View); });
    shotView->setObjectName(QStringLiteral("action_screenshotView"));
    shotView->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    QAction* shotWindow = file->addAction(tr("Save Screenshot of &Window..."), this, [this] {
        saveScreenshotDialog(ScreenshotTarget::Window);
    });
    shotWindow->setObjectName(QStringLiteral("action_screenshotWindow"));
    file->addSeparator();
    QAction* settings = file->addAction(tr("S&ettings..."), this, [this] {
        SettingsDialog dialog(this);
        if (dialog.exec() == QDialog::Accepted) {
            applyDisplay();
        }
    });
    settings->setObjectName(QStringLiteral("action_settings"));
    settings->setShortcut(QKeySequence(tr("Ctrl+,")));
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::buildViewMenu(QMenu* viewMenu) {
    layoutActions_ = new QActionGroup(this);
    const QList<std::array<QString, 3>> layouts{
        {QStringLiteral("1x1"), tr("Layout 1x1"), tr("Ctrl+1")},
        {QStringLiteral("1x3"), tr("Layout 1x3 (axial, coronal, sagittal)"), tr("Ctrl+3")},
        {QStringLiteral("2x2"), tr("Layout 2x2 (axial, coronal, sagittal, MIP)"), tr("Ctrl+2")},
    };
    for (const auto& [name, text, key] : layouts) {
        QAction* a = viewMenu->addAction(text);
        a->setObjectName(QStringLiteral("layout_") + name);
        a->setShortcut(QKeySequence(key));
        a->setCheckable(true);
        a->setData(name);
        layoutActions_->addAction(a);
        connect(a, &QAction::triggered, this, [this, name] { setViewLayout(name); });
    }
    viewMenu->addSeparator();
    QAction* reset = viewMenu->addAction(tr("&Reset View"), this, [this] {
        for (viewer::SliceView* v : {view_, coronal_, sagittal_, mip_}) {
            v->resetView();
        }
    });
    reset->setObjectName(QStringLiteral("action_resetView"));
    reset->setShortcuts({QKeySequence(tr("R")), QKeySequence(tr("Ctrl+0"))});
    QAction* zoomIn = viewMenu->addAction(tr("Zoom &In"), this, [this] {
        activeView()->zoomAt(1.25, activeView()->rect().center());
    });
    zoomIn->setObjectName(QStringLiteral("action_zoomIn"));
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))});
    QAction* zoomOut = viewMenu->addAction(tr("Zoom &Out"), this, [this] {
        activeView()->zoomAt(1.0 / 1.25, activeView()->rect().center());
    });
    zoomOut->setObjectName(QStringLiteral("action_zoomOut"));
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    viewMenu->addSeparator();
    QAction* series =
        viewMenu->addAction(tr("Series &Assignment..."), this, &MainWindow::showSeriesAssignment);
    series->setObjectName(QStringLiteral("action_seriesAssignment"));
    setViewLayout(QSettings().value(QStringLiteral("view/layout")).toString());
}

void MainWindow::setViewLayout(const QString& layout) {
    const bool quad = layout == QStringLiteral("2x2");
    const bool triple = layout == QStringLiteral("1x3");
    const QString name = quad ? layout : (triple ? layout : QStringLiteral("1x1"));
    for (viewer::SliceView* v : {view_, coronal_, sagittal_, mip_}) {
        grid_->removeWidget(v);
    }
    for (int n = 0; n < 3; ++n) {
        grid_->setRowStretch(n, 0);
        grid_->setColumnStretch(n, 0);
    }
    // Only the shown views are in the grid, and only their rows and columns stretch: an empty
    // column with a stretch would still take its share of the width.
    grid_->addWidget(view_, 0, 0);
    grid_->setRowStretch(0, 1);
    grid_->setColumnStretch(0, 1);
    if (quad) {
        grid_->addWidget(coronal_, 0, 1);
        grid_->addWidget(sagittal_, 1, 0);
        grid_->addWidget(mip_, 1, 1);
        grid_->setRowStretch(1, 1);
        grid_->setColumnStretch(1, 1);
    } else if (triple) {
        grid_->addWidget(coronal_, 0, 1);
        grid_->addWidget(sagittal_, 0, 2);
        grid_->setColumnStretch(0, 2);  // the axial view twice as wide as the others
        grid_->setColumnStretch(1, 1);
        grid_->setColumnStretch(2, 1);
    }
    coronal_->setVisible(triple || quad);
    sagittal_->setVisible(triple || quad);
    mip_->setVisible(quad);
    for (viewer::SliceView* v : {view_, coronal_, sagittal_, mip_}) {
        v->setCrosshairVisible(triple || quad);
    }
    for (QAction* a : layoutActions_->actions()) {
        a->setChecked(a->data().toString() == name);
    }
    QSettings().setValue(QStringLiteral("view/layout"), name);
}

void MainWindow::applyDisplay() {
    const bool gl =
        QSettings().value(QStringLiteral("view/display")).toString() == QStringLiteral("opengl");
    for (viewer::SliceView* v : {view_, coronal_, sagittal_, mip_}) {
        v->setDisplay(gl ? viewer::SliceView::Display::OpenGl
                         : viewer::SliceView::Display::Software);
    }
}

viewer::SliceView* MainWindow::activeView() {
    auto* v = qobject_cast<viewer::SliceView*>(focusWidget());
    return v != nullptr && v->isVisible() ? v : view_;
}

QImage MainWindow::grabScreenshot(ScreenshotTarget target) {
    if (target == ScreenshotTarget::View) {
        return activeView()->grabImage();
    }
    return grab().toImage();
}

bool MainWindow::saveScreenshot(const QString& path, ScreenshotTarget target, QString* error) {
    QString message;
    if (savePng(grabScreenshot(target), path, &message)) {
        return true;
    }
    if (error != nullptr) {
        *error = message;
    }
    return false;
}

void MainWindow::saveScreenshotDialog(ScreenshotTarget target) {
    // Grabbed first: the dialog takes the focus that tells which view is active.
    viewer::SliceView* view = activeView();
    QString channel =
        view->isMipPane() ? QStringLiteral("mip") : QString::fromStdString(document_.displayKey());
    if (view == coronal_ || view == sagittal_) {
        channel += view == coronal_ ? QStringLiteral("_coronal") : QStringLiteral("_sagittal");
    }
    const QImage image = grabScreenshot(target);
    QSettings settings;
    const QString folder =
        settings
            .value(QStringLiteral("screenshot/folder"),
                   QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
            .toString();
    const QString path = QFileDialog::getSaveFileName(
        this,
        target == ScreenshotTarget::View ? tr("Save Screenshot of View")
                                         : tr("Save Screenshot of Window"),
        QDir(folder).filePath(screenshotFileName(studyLabel_, channel, target)),
        tr("PNG images (*.png)"));
    if (path.isEmpty()) {
        return;
    }
    settings.setValue(QStringLiteral("screenshot/folder"), QFileInfo(path).absolutePath());
    QString error;
    if (!savePng(image, path, &error)) {
        QMessageBox::critical(this, tr("Cannot save the screenshot"), error);
    }
}

void MainWindow::showShortcuts() {
    // Menu order first, then any other action of the window (toolbars, docks).
    QList<QAction*> actions;
    std::function<void(const QList<QAction*>&)> walk = [&](const QList<QAction*>& list) {
        for (QAction* a : list) {
            if (a->menu() != nullptr) {
                walk(a->menu()->actions());
            } else if (!a->isSeparator()) {
                actions << a;
            }
        }
    };
    walk(menuBar()->actions());
    actions += findChildren<QAction*>();
    auto* dialog = new ShortcutsDialog(actions, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showSeriesAssignment() {
    if (!document_.hasStudy()) {
        QMessageBox::information(this, tr("Series Assignment"), tr("Open a study first."));
        return;
    }
    const QString folder = QString::fromStdString(document_.study()->metadata.source);
    auto* dialog = new SeriesAssignmentDialog(folder, document_.study()->metadata.report, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SeriesAssignmentDialog::reloadRequested, this,
            [this, folder](const io::StudyReadOptions& options) {
                loadStudy(folder, studyLabel_, options);
            });
    dialog->show();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!droppedFolder(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString folder = droppedFolder(event->mimeData());
    if (!folder.isEmpty()) {
        event->acceptProposedAction();
        openPath(folder);
    }
}

}  // namespace bmsc::app
