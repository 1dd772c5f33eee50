#include "MainWindow.h"

#include "CohortPanel.h"
#include "KineticsController.h"
#include "OverlayController.h"
#include "RecentFiles.h"
#include "SettingsDialog.h"
#include "ShortcutsDialog.h"
#include "StudyLoader.h"
#include "WindowLevelMenu.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "widgets/SliceView.h"

#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>

namespace bmsc::app {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("BreastMSC"));
    setAcceptDrops(true);  // a study or cohort folder dropped on the window opens
    // Axial view, plus coronal and sagittal views (1×3) and the subtraction MIP (2×2), linked
    // by a crosshair; setViewLayout places them.
    auto* views = new QWidget(this);
    views->setObjectName(QStringLiteral("views"));
    grid_ = new QGridLayout(views);
    grid_->setContentsMargins(0, 0, 0, 0);
    grid_->setSpacing(2);
    view_ = new viewer::SliceView(&document_, viewer::ViewAxis::Axial, views);
    coronal_ = new viewer::SliceView(&document_, viewer::ViewAxis::Coronal, views);
    sagittal_ = new viewer::SliceView(&document_, viewer::ViewAxis::Sagittal, views);
    mip_ = new viewer::SliceView(&document_, viewer::ViewAxis::Axial, views);
    mip_->setMipPane(true);
    applyDisplay();
    setCentralWidget(views);

    slider_ = new QSlider(Qt::Vertical, this);
    slider_->setObjectName(QStringLiteral("sliceSlider"));
    slider_->setEnabled(false);
    connect(slider_, &QSlider::valueChanged, this, [this](int v) { document_.setSlice(v); });

    auto* cohortDock = new QDockWidget(tr("Cohort"), this);
    cohortDock->setObjectName(QStringLiteral("cohortDock"));
    cohortPanel_ = new CohortPanel(cohortDock);
    cohortDock->setWidget(cohortPanel_);
    addDockWidget(Qt::LeftDockWidgetArea, cohortDock);
    cohortDock->hide();
    connect(cohortPanel_, &CohortPanel::patientChosen, this, [this](const QString& id) {
        if (!cohortFolder_.isEmpty()) {
            loadStudy(cohortFolder_ + QLatin1Char('/') + id, id);
        }
    });

    voxelLabel_ = new QLabel(this);
    voxelLabel_->setObjectName(QStringLiteral("voxelLabel"));
    statusBar()->addPermanentWidget(voxelLabel_, 1);
    for (viewer::SliceView* v : {view_, coronal_, sagittal_, mip_}) {
        connect(v, &viewer::SliceView::voxelHovered, this, &MainWindow::showVoxel);
    }

    loader_ = new StudyLoader(this);
    connect(loader_, &StudyLoader::loaded, this, &MainWindow::onLoaded);
    connect(loader_, &StudyLoader::failed, this, &MainWindow::onFailed);
    buildLoadStatus();
    connect(loader_, &StudyLoader::progress, this, [this](int percent, const QString& what) {
        if (loader_->busy()) {  // QProgressBar::setValue processes no events
            loadBar_->setValue(percent);
            loadBar_->setToolTip(what);
        }
    });
    connect(&document_, &viewer::StudyDocument::viewChanged, this, &MainWindow::syncControls);

    kinetics_ = new KineticsController(&document_, this);
    kinetics_->setViews({view_, coronal_, sagittal_, mip_});
    overlay_ = new OverlayController(&document_, this, kinetics_);
    overlay_->setViews({view_, coronal_, sagittal_, mip_});
    buildMenus();
    auto* side = new QToolBar(tr("Slices"), this);
    side->setObjectName(QStringLiteral("sliceToolBar"));
    side->addWidget(slider_);
    addToolBar(Qt::RightToolBarArea, side);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
        resize(1100, 800);
    }
}

MainWindow::~MainWindow() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::buildMenus() {
    buildFileMenu();

    QMenu* channels = menuBar()->addMenu(tr("&Channel"));
    QToolBar* bar = addToolBar(tr("Channels"));
    bar->setObjectName(QStringLiteral("channelToolBar"));
    channelActions_ = new QActionGroup(this);
    const QStringList labels{tr("Pre"),    tr("Post 1"), tr("Post 2"),
                             tr("Post 3"), tr("Post 4"), tr("T2")};
    for (const io::Channel c : io::kAllChannels) {
        const int n = static_cast<int>(c);
        QAction* a = channels->addAction(labels[n]);
        a->setObjectName(QStringLiteral("channel_") +
                         QString::fromLatin1(io::channelName(c).data()));
        a->setCheckable(true);
        a->setShortcut(QKeySequence(QString::number(n + 1)));
        a->setChecked(c == document_.channel());
        channelActions_->addAction(a);
        bar->addAction(a);
        connect(a, &QAction::triggered, this, [this, c] { document_.setChannel(c); });
    }
    // Subtractions postN − pre (keys 7, 8, 9, 0) and the MIP of the current subtraction (M;
    // of sub1 when none is shown), computed on first use.
    channels->addSeparator();
    bar->addSeparator();
    const QStringList keys{QStringLiteral("7"), QStringLiteral("8"), QStringLiteral("9"),
                           QStringLiteral("0")};
    for (int phase = 1; phase <= 4; ++phase) {
        QAction* a = channels->addAction(tr("Sub %1").arg(phase));
        a->setObjectName(QStringLiteral("channel_sub%1").arg(phase));
        a->setToolTip(tr("Subtraction post %1 - pre").arg(phase));
        a->setCheckable(true);
        a->setShortcut(QKeySequence(keys[phase - 1]));
        channelActions_->addAction(a);
        bar->addAction(a);
        connect(a, &QAction::triggered, this, [this, phase] { document_.showSubtraction(phase); });
    }
    QAction* mip = channels->addAction(tr("MIP"));
    mip->setObjectName(QStringLiteral("channel_mip"));
    mip->setToolTip(tr("Maximum intensity projection of the subtraction"));
    mip->setCheckable(true);
    mip->setShortcut(QKeySequence(tr("M")));
    channelActions_->addAction(mip);
    bar->addAction(mip);
    connect(mip, &QAction::triggered, this, [this] {
        const int phase = document_.derivedPhase() > 0 ? document_.derivedPhase() : 1;
        document_.showSubtraction(phase, true);
    });

    menuBar()->addMenu(new WindowLevelMenu(&document_, this));
    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    buildViewMenu(viewMenu);

    viewMenu->addSeparator();
    viewMenu->addActions(kinetics_->viewActions());
    viewMenu->addSeparator();
    viewMenu->addActions(overlay_->actions());
    viewMenu->addAction(overlay_->dock()->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts =
        help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setObjectName(QStringLiteral("action_shortcuts"));
    shortcuts->setShortcut(QKeySequence(Qt::Key_F1));
    help->addAction(tr("&About BreastMSC"), this, &MainWindow::about);
}

void MainWindow::openStudyDialog() {
    QSettings settings;
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Open Study Folder"), settings.value(QStringLiteral("lastFolder")).toString());
    if (!folder.isEmpty()) {
        settings.setValue(QStringLiteral("lastFolder"), folder);
        openPath(folder);
    }
}

void MainWindow::openCohortDialog() {
    QSettings settings;
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Open Cohort"), settings.value(QStringLiteral("lastFolder")).toString());
    if (!folder.isEmpty()) {
        settings.setValue(QStringLiteral("lastFolder"), folder);
        openCohort(folder);
    }
}

void MainWindow::openPath(const QString& path) {
    if (QFileInfo::exists(path + QStringLiteral("/cohort.csv"))) {
        openCohort(path);
    } else if (!refuseWhileLoading()) {
        pendingRecent_ = path;
        loadStudy(path, QFileInfo(path).fileName());
    }
}

void MainWindow::openCohort(const QString& folder) {
    if (refuseWhileLoading()) {
        return;
    }
    try {
        const io::Cohort cohort = io::Cohort::open(folder.toStdString());
        cohortFolder_ = folder;
        cohortPanel_->setCohort(cohort);
        cohortPanel_->parentWidget()->show();
        recent_->add(folder);
        if (cohortPanel_->rowCount() > 0) {
            cohortPanel_->selectRow(0);  // asks for the first patient's study
        }
    } catch (const io::IoError& e) {
        QMessageBox::critical(this, tr("Cannot open the cohort"), QString::fromStdString(e.what()));
    }
}

void MainWindow::buildLoadStatus() {
    loadStatus_ = new QWidget(this);
    loadStatus_->setObjectName(QStringLiteral("loadStatus"));
    auto* layout = new QHBoxLayout(loadStatus_);
    layout->setContentsMargins(0, 0, 0, 0);
    loadLabel_ = new QLabel(loadStatus_);
    loadBar_ = new QProgressBar(loadStatus_);
    loadBar_->setObjectName(QStringLiteral("loadProgress"));
    loadBar_->setRange(0, 100);
    loadBar_->setMaximumWidth(200);
    auto* cancel = new QToolButton(loadStatus_);
    cancel->setObjectName(QStringLiteral("loadCancel"));
    cancel->setText(tr("Cancel"));
    cancel->setToolTip(tr("Stop reading the study (Esc)"));
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));  // only while shown
    connect(cancel, &QToolButton::clicked, loader_, &StudyLoader::cancel);
    layout->addWidget(loadLabel_);
    layout->addWidget(loadBar_);
    layout->addWidget(cancel);
    statusBar()->insertPermanentWidget(0, loadStatus_);
    loadStatus_->hide();
}

void MainWindow::loadStudy(const QString& folder, const QString& label,
                           const io::StudyReadOptions& options) {
    if (refuseWhileLoading()) {
        return;
    }
    loadLabel_->setText(tr("Reading %1").arg(label));
    loadBar_->setValue(0);
    loadStatus_->show();
    loader_->load(folder, label, options);
}

bool MainWindow::refuseWhileLoading() {
    if (!loader_->busy()) {
        return false;
    }
    statusBar()->showMessage(tr("A study is still being read: wait, or cancel it first"), 4000);
    return true;
}

void MainWindow::endLoad() {
    loadStatus_->hide();
    loadBar_->reset();
}

void MainWindow::onLoaded(std::shared_ptr<const io::Study> study, const QString& label) {
    endLoad();
    if (!pendingRecent_.isEmpty()) {
        recent_->add(pendingRecent_);
        pendingRecent_.clear();
    }
    if (cohortPanel_->hasCohort() && study != nullptr) {
        cohortPanel_->setStudyGeometry(label, study->geometry());  // lesion sides now known
    }
    studyLabel_ = label;
    document_.setStudy(std::move(study));
    setWindowTitle(tr("%1 - BreastMSC").arg(label));
    slider_->setEnabled(true);
    syncControls();
}

void MainWindow::onFailed(const QString& message, bool cancelled) {
    endLoad();
    pendingRecent_.clear();
    if (!cancelled) {
        // The open study, if any, stays as it was.
        QMessageBox::critical(this, tr("Cannot open the study"), message);
    }
}

void MainWindow::syncControls() {
    const QSignalBlocker block(slider_);
    slider_->setRange(0, static_cast<int>(std::max<std::int64_t>(0, document_.sliceCount() - 1)));
    slider_->setValue(static_cast<int>(document_.slice()));
    const auto actions = channelActions_->actions();  // six channels, sub1…sub4, MIP
    switch (document_.derived()) {
        case viewer::StudyDocument::Derived::None:
            actions[static_cast<int>(document_.channel())]->setChecked(true);
            break;
        case viewer::StudyDocument::Derived::Subtraction:
            actions[io::kChannelCount + document_.derivedPhase() - 1]->setChecked(true);
            break;
        case viewer::StudyDocument::Derived::Mip:
            actions[io::kChannelCount + 4]->setChecked(true);
            break;
    }
}

void MainWindow::showVoxel(qint64 i, qint64 j, qint64 k) {
    const auto values = document_.valuesAt(io::Index3{i, j, k});
    if (!values) {
        voxelLabel_->clear();
        return;
    }
    const auto p = document_.study()->geometry().indexToPhysical(
        {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
    QString text = tr("voxel (%1, %2, %3)   LPS (%4, %5, %6) mm  ")
                       .arg(i)
                       .arg(j)
                       .arg(k)
                       .arg(p[0], 0, 'f', 1)
                       .arg(p[1], 0, 'f', 1)
                       .arg(p[2], 0, 'f', 1);
    for (const io::Channel c : io::kAllChannels) {
        text += QStringLiteral("  %1 %2")
                    .arg(QString::fromLatin1(io::channelName(c).data()))
                    .arg((*values)[static_cast<std::size_t>(c)], 0, 'f', 0);
    }
    voxelLabel_->setText(text);
}

void MainWindow::about() {
    QMessageBox::about(this, tr("About BreastMSC"),
                       tr("<h3>BreastMSC %1</h3><p>Breast DCE-MRI review and the multi-scale "
                          "curriculum CNN for malignancy classification.</p>")
                           .arg(QStringLiteral(BREASTMSC_VERSION)));
}

}  // namespace bmsc::app
