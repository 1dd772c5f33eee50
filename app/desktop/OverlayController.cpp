#include "OverlayController.h"

#include "KineticsController.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/Preprocess.h"
#include "widgets/ColorBar.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QMainWindow>
#include <QMessageBox>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace bmsc::app {

namespace {

/// True if the box of `overlay`'s voxels (to their outer faces) meets that of `study`.
bool overlaps(const io::Geometry& overlay, const io::Geometry& study) {
    std::array<double, 3> lo{1e300, 1e300, 1e300};
    std::array<double, 3> hi{-1e300, -1e300, -1e300};
    for (int c = 0; c < 8; ++c) {
        io::Vec3 index{};
        for (int a = 0; a < 3; ++a) {
            index[a] = (c >> a) & 1 ? static_cast<double>(overlay.size[a]) - 0.5 : -0.5;
        }
        const io::Vec3 inStudy = study.physicalToIndex(overlay.indexToPhysical(index));
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], inStudy[a]);
            hi[a] = std::max(hi[a], inStudy[a]);
        }
    }
    for (int a = 0; a < 3; ++a) {
        if (hi[a] <= -0.5 || lo[a] >= static_cast<double>(study.size[a]) - 0.5) {
            return false;
        }
    }
    return true;
}

/// The value below which a fraction `q` of `values` lie (reorders them; no full sort).
double percentile(std::vector<float>& values, double q) {
    const auto n = static_cast<double>(values.size() - 1);
    const auto at = values.begin() + static_cast<std::ptrdiff_t>(std::lround(q * n));
    std::nth_element(values.begin(), at, values.end());
    return *at;
}

/// Decimals that show about a thousandth of `span` (a probability map needs three, a map in
/// the hundreds one).
int decimalsFor(double span) {
    if (!(span > 0.0)) {
        return 3;
    }
    return std::clamp(3 - static_cast<int>(std::floor(std::log10(span))), 0, 8);
}

}  // namespace

OverlayController::OverlayController(viewer::StudyDocument* document, QMainWindow* window,
                                     KineticsController* kinetics)
    : QObject(window), document_(document), window_(window), kinetics_(kinetics) {
    setObjectName(QStringLiteral("overlayController"));
    loadAction_ = new QAction(this);
    loadAction_->setObjectName(QStringLiteral("action_loadOverlay"));
    connect(loadAction_, &QAction::triggered, this, &OverlayController::loadOverlayDialog);
    connect(this, &OverlayController::loadFinished, this, [this](bool ok, const QString& error) {
        if (!ok) {
            // Not modal: the user may go on reading the study.
            auto* box = new QMessageBox(QMessageBox::Warning, tr("Load Overlay"), error,
                                        QMessageBox::Ok, window_);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
    });
    visibleAction_ = new QAction(this);
    visibleAction_->setObjectName(QStringLiteral("action_overlayVisible"));
    visibleAction_->setCheckable(true);
    visibleAction_->setShortcut(QKeySequence(Qt::Key_O));
    window->addAction(visibleAction_);  // O works wherever the focus is in the window
    connect(visibleAction_, &QAction::toggled, this, &OverlayController::onVisibleToggled);
    removeAction_ = new QAction(this);
    removeAction_->setObjectName(QStringLiteral("action_removeOverlay"));
    connect(removeAction_, &QAction::triggered, this, &OverlayController::removeOverlay);

    dock_ = new QDockWidget(window);
    dock_->setObjectName(QStringLiteral("overlayDock"));
    dock_->toggleViewAction()->setObjectName(QStringLiteral("action_overlayDock"));
    auto* content = new QWidget(dock_);
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(4, 4, 4, 4);
    fileLabel_ = new QLabel(content);
    fileLabel_->setObjectName(QStringLiteral("overlayFile"));
    fileLabel_->setWordWrap(true);
    column->addWidget(fileLabel_);
    colorBar_ = new viewer::ColorBar(content);
    colorBar_->setObjectName(QStringLiteral("overlayColorBar"));
    column->addWidget(colorBar_);
    auto* form = new QFormLayout();
    opacity_ = new QSlider(Qt::Horizontal, content);
    opacity_->setObjectName(QStringLiteral("overlayOpacity"));
    opacity_->setRange(10, 100);
    opacity_->setValue(50);
    opacityLabel_ = new QLabel(content);
    form->addRow(opacityLabel_, opacity_);
    threshold_ = new QDoubleSpinBox(content);
    threshold_->setObjectName(QStringLiteral("overlayThreshold"));
    threshold_->setKeyboardTracking(false);  // redraw once a typed value is complete
    threshold_->setEnabled(false);
    thresholdLabel_ = new QLabel(content);
    form->addRow(thresholdLabel_, threshold_);
    column->addLayout(form);
    column->addStretch(1);
    dock_->setWidget(content);
    window->addDockWidget(Qt::RightDockWidgetArea, dock_);
    dock_->hide();
    dock_->installEventFilter(this);
    connect(opacity_, &QSlider::valueChanged, this, &OverlayController::apply);
    connect(threshold_, &QDoubleSpinBox::valueChanged, this,
            &OverlayController::onThresholdChanged);

    connect(document_, &viewer::StudyDocument::studyChanged, this,
            &OverlayController::onStudyChanged);
    if (kinetics_ != nullptr) {
        // The kinetic map turned on takes the views: hide the overlay (it stays loaded).
        connect(kinetics_->mapAction(), &QAction::toggled, this, [this](bool on) {
            if (on) {
                visibleAction_->setChecked(false);
            }
        });
        // The kinetic controller redraws the views' overlay when its map goes away or its
        // views change: draw ours again over that.
        connect(kinetics_, &KineticsController::mapChanged, this,
                &OverlayController::onKineticMapChanged);
    }
    retranslate();
    study_ = document_->study();
    updateActions();
}

void OverlayController::setViews(const QList<viewer::SliceView*>& views) {
    views_.clear();
    for (viewer::SliceView* v : views) {
        views_.append(v);
    }
    apply();
}

QList<QAction*> OverlayController::actions() const {
    return {loadAction_, visibleAction_, removeAction_};
}

void OverlayController::retranslate() {
    loadAction_->setText(tr("Load &Overlay..."));
    loadAction_->setToolTip(
        tr("Show an image (NIfTI, NRRD, MetaImage) over the study, "
           "e.g. a heat map or a probability map"));
    visibleAction_->setText(tr("Overlay &Visible"));
    visibleAction_->setToolTip(tr("Show or hide the loaded overlay (O)"));
    removeAction_->setText(tr("Remove Overla&y"));
    dock_->setWindowTitle(tr("Overlay"));
    dock_->toggleViewAction()->setText(tr("Overlay &Panel"));
    colorBar_->setTitle(tr("Overlay"));
    opacityLabel_->setText(tr("Opacity"));
    thresholdLabel_->setText(tr("Threshold"));
    threshold_->setToolTip(tr("Voxels below this value are not drawn"));
    fileLabel_->setText(fileName_.isEmpty() ? tr("No overlay loaded")
                                            : (resampled_ ? tr("%1 (resampled onto the study grid)")
                                                          : QStringLiteral("%1"))
                                                  .arg(QFileInfo(fileName_).fileName()));
}

bool OverlayController::eventFilter(QObject* watched, QEvent* event) {
    if (watched == dock_ && event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    return QObject::eventFilter(watched, event);
}

QString OverlayController::loadError(const QString& path, const QString& why) {
    return tr("Cannot load the overlay %1: %2").arg(QDir::toNativeSeparators(path), why);
}

OverlayController::Prepared OverlayController::prepare(const QString& path,
                                                       const io::Geometry& grid) {
    Prepared p;
    const auto fail = [&](const QString& why) {
        p.error = loadError(path, why);
        return p;
    };
    io::Volume image;
    try {
        image = io::readImage(std::filesystem::path(path.toStdString()));
    } catch (const std::exception& e) {  // IoError names the file; bad_alloc does not crash
        return fail(QString::fromStdString(io::reasonOf(e)));
    }
    if (!image.geometry().sameGrid(grid)) {
        if (!overlaps(image.geometry(), grid)) {
            return fail(tr("it does not overlap the study (overlay %1; study %2).")
                            .arg(QString::fromStdString(image.geometry().describe()),
                                 QString::fromStdString(grid.describe())));
        }
        try {
            // Exact where the grids are voxel-aligned (a map written on the file's own grid,
            // whose voxels the loader reordered along LPS), linear otherwise.
            image = io::mapBetweenGrids(image, grid, io::Interpolation::Linear, 0.0f);
        } catch (const std::exception& e) {
            return fail(QString::fromStdString(io::reasonOf(e)));
        }
        p.resampled = true;
    } else {
        image.setGeometry(grid);  // exactly the study's, not just within tolerance
    }

    std::vector<float> values;
    bool any = false;
    for (const float v : image.voxels()) {
        if (!std::isfinite(v)) {
            continue;
        }
        p.lowest = any ? std::min(p.lowest, static_cast<double>(v)) : v;
        p.highest = any ? std::max(p.highest, static_cast<double>(v)) : v;
        any = true;
        if (v != 0.0f) {
            values.push_back(v);
        }
    }
    viewer::OverlayLayer& layer = p.layer;
    layer.colorMap = viewer::ColorMap::Hot;
    if (!values.empty()) {
        layer.threshold = percentile(values, 0.5);
        layer.maximum = percentile(values, 0.995);
        if (layer.maximum <= layer.threshold) {  // a constant (binary) map
            layer.maximum = layer.threshold + std::max(1e-6, std::abs(layer.threshold) * 1e-3);
        }
    } else {
        layer.threshold = 0.5;  // nothing to show, but a sane range for the colour bar
        layer.maximum = 1.0;
    }
    layer.volume = std::make_shared<const io::Volume>(std::move(image));
    return p;
}

bool OverlayController::loadOverlay(const QString& path, QString* error) {
    const io::Study* study = document_->study();
    if (study == nullptr) {
        if (error != nullptr) {
            *error = loadError(path, tr("no study is open."));
        }
        return false;
    }
    Prepared p = prepare(path, study->geometry());
    if (!p.error.isEmpty()) {
        if (error != nullptr) {
            *error = p.error;
        }
        return false;
    }
    show(path, study, std::move(p));
    return true;
}

void OverlayController::loadOverlayInBackground(const QString& path) {
    const io::Study* study = document_->study();
    if (study == nullptr) {
        Q_EMIT loadFinished(false, loadError(path, tr("no study is open.")));
        return;
    }
    // The study stays alive while the worker reads: it holds its own reference.
    const auto shared = document_->sharedStudy();
    const int generation = ++loadGeneration_;
    loading_ = true;
    window_->statusBar()->showMessage(
        tr("Loading the overlay %1...").arg(QFileInfo(path).fileName()));
    using Watcher = QFutureWatcher<Prepared>;
    auto* watcher = new Watcher(this);
    connect(watcher, &Watcher::finished, this, [this, watcher, generation, path, shared] {
        watcher->deleteLater();
        if (generation != loadGeneration_ || document_->study() != shared.get()) {
            return;  // another load or another study since
        }
        loading_ = false;
        window_->statusBar()->clearMessage();
        Prepared p = watcher->result();
        if (!p.error.isEmpty()) {
            Q_EMIT loadFinished(false, p.error);
            return;
        }
        show(path, shared.get(), std::move(p));
        Q_EMIT loadFinished(true, {});
    });
    watcher->setFuture(
        QtConcurrent::run([path, grid = shared->geometry()] { return prepare(path, grid); }));
}

void OverlayController::show(const QString& path, const io::Study* study, Prepared p) {
    p.layer.opacity = opacity_->value() / 100.0;
    const bool resampled = p.resampled;
    layer_ = std::move(p.layer);
    autoMaximum_ = layer_.maximum;
    {
        // The automatic threshold exactly, not as the box rounds it: set without a signal.
        const QSignalBlocker block(threshold_);
        const double lo = std::min(p.lowest, layer_.threshold);
        const double hi = std::max(p.highest, layer_.threshold);
        threshold_->setDecimals(decimalsFor(hi - lo));
        threshold_->setRange(lo, hi);
        threshold_->setSingleStep(hi > lo ? (hi - lo) / 100.0 : 0.1);
        threshold_->setValue(layer_.threshold);
        threshold_->setEnabled(true);
    }
    fileName_ = path;
    resampled_ = resampled;
    study_ = study;
    retranslate();
    dock_->show();
    if (visibleAction_->isChecked()) {
        onVisibleToggled(true);
    } else {
        visibleAction_->setChecked(true);  // turns the kinetic map off and draws
    }
    updateActions();
    window_->statusBar()->showMessage(
        tr("Overlay %1: colours from %2 to %3%4")
            .arg(QFileInfo(path).fileName())
            .arg(layer_.threshold, 0, 'g', 4)
            .arg(layer_.maximum, 0, 'g', 4)
            .arg(resampled ? tr(" (resampled onto the study grid)") : QString()),
        8000);
}

void OverlayController::loadOverlayDialog() {
    QSettings settings;
    const QString folder = settings.value(QStringLiteral("overlay/folder")).toString();
    const QString path = QFileDialog::getOpenFileName(
        window_, tr("Load Overlay"), folder,
        tr("Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    settings.setValue(QStringLiteral("overlay/folder"), QFileInfo(path).absolutePath());
    loadOverlayInBackground(path);
}

void OverlayController::removeOverlay() {
    const bool had = layer_.volume != nullptr;
    layer_ = viewer::OverlayLayer{};
    fileName_.clear();
    resampled_ = false;
    visibleAction_->setChecked(false);
    {
        const QSignalBlocker block(threshold_);
        threshold_->setEnabled(false);
    }
    retranslate();
    dock_->hide();
    updateActions();
    if (had) {
        apply();
    }
}

void OverlayController::onStudyChanged() {
    if (document_->study() == study_) {
        return;
    }
    study_ = document_->study();
    if (loading_) {
        ++loadGeneration_;  // an overlay being read belongs to the previous study
        loading_ = false;
        window_->statusBar()->clearMessage();
    }
    if (layer_.volume != nullptr) {
        removeOverlay();  // it belongs to the previous study's grid
    }
    updateActions();
}

void OverlayController::onThresholdChanged(double value) {
    if (layer_.volume == nullptr) {
        return;
    }
    layer_.threshold = value;
    // Above the automatic maximum the colours span a sliver above the threshold, so that the
    // colour bar still runs upwards.
    layer_.maximum = std::max(autoMaximum_, value + std::max(1e-6, std::abs(value) * 1e-3));
    apply();
}

void OverlayController::onVisibleToggled(bool on) {
    if (on && layer_.volume == nullptr) {
        visibleAction_->setChecked(false);
        return;
    }
    if (on && kinetics_ != nullptr && kinetics_->mapAction()->isChecked()) {
        kinetics_->mapAction()->setChecked(false);  // it redraws; we draw over that below
    }
    apply();
}

void OverlayController::onKineticMapChanged() {
    if (kinetics_ != nullptr && kinetics_->map() == nullptr && visibleAction_->isChecked()) {
        apply();
    }
}

void OverlayController::apply() {
    layer_.opacity = opacity_->value() / 100.0;
    viewer::OverlayLayer drawn = layer_;
    drawn.visible = layer_.volume != nullptr && visibleAction_->isChecked();
    const bool kineticOn = kinetics_ != nullptr && kinetics_->map() != nullptr;
    // Hidden: leave the views to the kinetic map when it is showing; else clear them.
    if (drawn.visible || !kineticOn) {
        for (const auto& v : views_) {
            if (v != nullptr) {
                v->setOverlay(drawn);
            }
        }
    }
    colorBar_->setLayer(drawn);
    Q_EMIT overlayChanged();
}

void OverlayController::updateActions() {
    visibleAction_->setEnabled(layer_.volume != nullptr);
    removeAction_->setEnabled(layer_.volume != nullptr);
}

}  // namespace bmsc::app
