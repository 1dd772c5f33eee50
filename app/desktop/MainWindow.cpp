#include "MainWindow.h"

#include "StudyLoader.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "widgets/SliceView.h"

#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QToolBar>

namespace bmsc::app {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("BreastMSC"));
    // Axial view, plus coronal and sagittal views in the 1×3 layout, linked by a crosshair.
    auto* views = new QWidget(this);
    views->setObjectName(QStringLiteral("views"));
    auto* row = new QHBoxLayout(views);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(2);
    view_ = new viewer::SliceView(&document_, viewer::ViewAxis::Axial, views);
    coronal_ = new viewer::SliceView(&document_, viewer::ViewAxis::Coronal, views);
    sagittal_ = new viewer::SliceView(&document_, viewer::ViewAxis::Sagittal, views);
    row->addWidget(view_, 2);
    row->addWidget(coronal_, 1);
    row->addWidget(sagittal_, 1);
    setCentralWidget(views);

    slider_ = new QSlider(Qt::Vertical, this);
    slider_->setObjectName(QStringLiteral("sliceSlider"));
    slider_->setEnabled(false);
    connect(slider_, &QSlider::valueChanged, this, [this](int v) { document_.setSlice(v); });

    auto* cohortDock = new QDockWidget(tr("Cohort"), this);
    cohortDock->setObjectName(QStringLiteral("cohortDock"));
    cohortList_ = new QListWidget(cohortDock);
    cohortList_->setObjectName(QStringLiteral("cohortList"));
    cohortDock->setWidget(cohortList_);
    addDockWidget(Qt::LeftDockWidgetArea, cohortDock);
    cohortDock->hide();
    connect(cohortList_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && !cohortFolder_.isEmpty()) {
            const QString id = cohortList_->item(row)->data(Qt::UserRole).toString();
            loadStudy(cohortFolder_ + QLatin1Char('/') + id, id);
        }
    });

    voxelLabel_ = new QLabel(this);
    voxelLabel_->setObjectName(QStringLiteral("voxelLabel"));
    statusBar()->addPermanentWidget(voxelLabel_, 1);
    for (viewer::SliceView* v : {view_, coronal_, sagittal_}) {
        connect(v, &viewer::SliceView::voxelHovered, this, &MainWindow::showVoxel);
    }

    loader_ = new StudyLoader(this);
    connect(loader_, &StudyLoader::loaded, this, &MainWindow::onLoaded);
    connect(loader_, &StudyLoader::failed, this, &MainWindow::onFailed);
    connect(loader_, &StudyLoader::progress, this, [this](int percent, const QString& what) {
        if (progress_ != nullptr) {
            progress_->setLabelText(what);
            progress_->setValue(percent);  // last: a modal dialog processes events here,
                                           // which may deliver `loaded` and close it
        }
    });
    connect(&document_, &viewer::StudyDocument::viewChanged, this, &MainWindow::syncControls);

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
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openStudy =
        file->addAction(tr("Open &Study Folder..."), this, &MainWindow::openStudyDialog);
    openStudy->setShortcut(QKeySequence::Open);
    QAction* openCohort =
        file->addAction(tr("Open &Cohort..."), this, &MainWindow::openCohortDialog);
    openCohort->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

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

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    auto* layouts = new QActionGroup(this);
    QAction* single = viewMenu->addAction(tr("Layout 1x1"));
    single->setObjectName(QStringLiteral("layout_1x1"));
    single->setShortcut(QKeySequence(tr("Ctrl+1")));
    QAction* triple = viewMenu->addAction(tr("Layout 1x3 (axial, coronal, sagittal)"));
    triple->setObjectName(QStringLiteral("layout_1x3"));
    triple->setShortcut(QKeySequence(tr("Ctrl+3")));
    for (QAction* a : {single, triple}) {
        a->setCheckable(true);
        layouts->addAction(a);
    }
    connect(single, &QAction::triggered, this, [this] { setTripleLayout(false); });
    connect(triple, &QAction::triggered, this, [this] { setTripleLayout(true); });
    const bool tripleSaved =
        QSettings().value(QStringLiteral("view/layout")).toString() == QStringLiteral("1x3");
    (tripleSaved ? triple : single)->setChecked(true);
    setTripleLayout(tripleSaved);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About BreastMSC"), this, &MainWindow::about);
}

void MainWindow::setTripleLayout(bool triple) {
    coronal_->setVisible(triple);
    sagittal_->setVisible(triple);
    for (viewer::SliceView* v : {view_, coronal_, sagittal_}) {
        v->setCrosshairVisible(triple);
    }
    QSettings().setValue(QStringLiteral("view/layout"),
                         triple ? QStringLiteral("1x3") : QStringLiteral("1x1"));
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
    } else {
        loadStudy(path, QFileInfo(path).fileName());
    }
}

void MainWindow::openCohort(const QString& folder) {
    try {
        const io::Cohort cohort = io::Cohort::open(folder.toStdString());
        cohortFolder_ = folder;
        const QSignalBlocker block(cohortList_);
        cohortList_->clear();
        for (const auto& id : cohort.patients()) {
            QStringList parts;
            for (const io::Side side : {io::Side::Right, io::Side::Left}) {
                const auto b = cohort.breast(id, side);
                const QString label =
                    !b || b->label == io::Label::Unlabelled
                        ? tr("?")
                        : (b->label == io::Label::Malignant ? tr("malignant") : tr("benign"));
                parts << (side == io::Side::Left ? tr("L: %1") : tr("R: %1")).arg(label);
            }
            auto* item = new QListWidgetItem(
                tr("%1   %2   %n lesion(s)", nullptr, static_cast<int>(cohort.lesionsOf(id).size()))
                    .arg(QString::fromStdString(id), parts.join(QStringLiteral(", "))),
                cohortList_);
            item->setData(Qt::UserRole, QString::fromStdString(id));
        }
        cohortList_->parentWidget()->show();
        if (cohortList_->count() > 0) {
            cohortList_->setCurrentRow(0);
            const QString id = cohortList_->item(0)->data(Qt::UserRole).toString();
            loadStudy(folder + QLatin1Char('/') + id, id);
        }
    } catch (const io::IoError& e) {
        QMessageBox::critical(this, tr("Cannot open the cohort"), QString::fromStdString(e.what()));
    }
}

void MainWindow::loadStudy(const QString& folder, const QString& label) {
    if (loader_->busy()) {
        return;
    }
    progress_ = new QProgressDialog(tr("Reading %1").arg(label), tr("Cancel"), 0, 100, this);
    progress_->setObjectName(QStringLiteral("loadProgress"));
    progress_->setWindowModality(Qt::WindowModal);
    progress_->setMinimumDuration(300);
    connect(progress_, &QProgressDialog::canceled, loader_, &StudyLoader::cancel);
    loader_->load(folder, label);
}

void MainWindow::closeProgress() {
    // deleteLater: a modal QProgressDialog::setValue processes events, so this may run inside
    // the dialog's own setValue (a queued `loaded`/`failed` delivered there).
    if (progress_ != nullptr) {
        progress_->hide();
        progress_->deleteLater();
        progress_ = nullptr;
    }
}

void MainWindow::onLoaded(std::shared_ptr<const io::Study> study, const QString& label) {
    closeProgress();
    document_.setStudy(std::move(study));
    setWindowTitle(tr("%1 - BreastMSC").arg(label));
    slider_->setEnabled(true);
    syncControls();
}

void MainWindow::onFailed(const QString& message, bool cancelled) {
    closeProgress();
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
