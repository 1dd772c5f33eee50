#include "KineticsController.h"

#include "breastmsc/io/Error.h"
#include "widgets/ColorBar.h"
#include "widgets/KineticPanel.h"
#include "widgets/SliceView.h"

#include <QAction>
#include <QCheckBox>
#include <QDockWidget>
#include <QEvent>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QMainWindow>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace bmsc::app {

/// Cancellation of one map computation (the worker polls it between slices).
struct KineticsController::Job final : io::Progress {
    std::atomic<bool> cancel{false};
    void report(double, std::string_view) override {}
    bool cancelled() const override { return cancel.load(); }
};

/// What a worker hands back: the map and its class counts, or nothing (cancelled, failed).
struct KineticsController::Result {
    std::shared_ptr<const io::Volume> map;
    std::array<std::size_t, 4> counts{};
    QString error;
};

KineticsController::KineticsController(viewer::StudyDocument* document, QMainWindow* window)
    : QObject(window), document_(document), window_(window) {
    setObjectName(QStringLiteral("kineticsController"));
    mapAction_ = new QAction(this);
    mapAction_->setObjectName(QStringLiteral("action_kineticMap"));
    mapAction_->setCheckable(true);
    mapAction_->setShortcut(QKeySequence(Qt::Key_K));
    window->addAction(mapAction_);  // K works wherever the focus is in the window
    connect(mapAction_, &QAction::toggled, this, &KineticsController::requestMap);

    dock_ = new QDockWidget(window);
    dock_->setObjectName(QStringLiteral("kineticDock"));
    dock_->toggleViewAction()->setObjectName(QStringLiteral("action_kineticDock"));
    auto* content = new QWidget(dock_);
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(4, 4, 4, 4);

    colorBar_ = new viewer::ColorBar(content);
    column->addWidget(colorBar_);

    auto* form = new QFormLayout();
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    // A check box shows the map's state more plainly than a tool button.
    mapCheck_ = new QCheckBox(content);
    mapCheck_->setObjectName(QStringLiteral("kineticMapCheck"));
    connect(mapCheck_, &QCheckBox::toggled, mapAction_, &QAction::setChecked);
    connect(mapAction_, &QAction::toggled, mapCheck_, &QCheckBox::setChecked);
    connect(mapAction_, &QAction::changed, mapCheck_,
            [this] { mapCheck_->setEnabled(mapAction_->isEnabled()); });
    form->addRow(mapCheck_);
    threshold_ = new QSpinBox(content);
    threshold_->setObjectName(QStringLiteral("kineticThreshold"));
    threshold_->setRange(0, 1000);
    threshold_->setSingleStep(10);
    threshold_->setValue(50);
    threshold_->setSuffix(QStringLiteral(" %"));
    thresholdLabel_ = new QLabel(content);
    form->addRow(thresholdLabel_, threshold_);
    opacity_ = new QSlider(Qt::Horizontal, content);
    opacity_->setObjectName(QStringLiteral("kineticOpacity"));
    opacity_->setRange(10, 100);
    opacity_->setValue(60);
    opacityLabel_ = new QLabel(content);
    form->addRow(opacityLabel_, opacity_);
    column->addLayout(form);

    panel_ = new viewer::KineticPanel(content);
    column->addWidget(panel_, 1);
    content->setMinimumWidth(330);  // the chart and the colour bar's three labels
    dock_->setWidget(content);
    window->addDockWidget(Qt::RightDockWidgetArea, dock_);
    dock_->installEventFilter(this);

    connect(threshold_, &QSpinBox::valueChanged, this, [this] {
        if (mapAction_->isChecked()) {
            requestMap();
        }
    });
    connect(opacity_, &QSlider::valueChanged, this, &KineticsController::applyOverlay);
    connect(document_, &viewer::StudyDocument::studyChanged, this,
            &KineticsController::onStudyChanged);
    connect(document_, &viewer::StudyDocument::viewChanged, this,
            &KineticsController::onViewChanged);
    retranslate();
    onStudyChanged();
}

KineticsController::~KineticsController() {
    if (running_ != nullptr) {
        running_->cancel = true;  // the worker holds its own references; it stops at a slice
    }
}

void KineticsController::setViews(const QList<viewer::SliceView*>& views) {
    for (const auto& v : views_) {
        if (v != nullptr) {
            disconnect(v, &viewer::SliceView::voxelHovered, this, nullptr);
        }
    }
    views_.clear();
    for (viewer::SliceView* v : views) {
        views_.append(v);
        connect(v, &viewer::SliceView::voxelHovered, this, &KineticsController::onHover);
    }
    applyOverlay();
}

QList<QAction*> KineticsController::viewActions() const {
    return {mapAction_, dock_->toggleViewAction()};
}

void KineticsController::retranslate() {
    mapAction_->setText(tr("&Kinetic Map"));
    mapAction_->setToolTip(
        tr("Colour-coded kinetic map: washout red, plateau yellow, persistent blue (K)"));
    mapCheck_->setText(tr("Show the kinetic map (K)"));
    dock_->setWindowTitle(tr("Kinetics"));
    dock_->toggleViewAction()->setText(tr("Kinetics &Panel"));
    colorBar_->setTitle(tr("Kinetic map"));
    thresholdLabel_->setText(tr("Initial enhancement ≥"));
    threshold_->setToolTip(
        tr("Voxels whose enhancement at post1 is below this are not "
           "coloured (50 % separates slow from medium)"));
    opacityLabel_->setText(tr("Opacity"));
}

bool KineticsController::eventFilter(QObject* watched, QEvent* event) {
    if (watched == dock_ && event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    return QObject::eventFilter(watched, event);
}

void KineticsController::onStudyChanged() {
    if (document_->study() == study_ && study_ != nullptr) {
        return;
    }
    study_ = document_->study();
    noiseFloor_ = study_ != nullptr ? viewer::defaultNoiseFloor(*study_) : 0.0;
    hovered_.reset();
    // A map belongs to the study it was computed from: drop it, and any computation under way.
    ++generation_;
    if (running_ != nullptr) {
        running_->cancel = true;
        running_.reset();
    }
    map_.reset();
    mapAction_->setEnabled(study_ != nullptr && viewer::hasDynamicPhases(*study_));
    mapAction_->setChecked(false);  // (requestMap then finds nothing to do)
    applyOverlay();
    showCurve();
}

void KineticsController::onViewChanged() {
    if (document_->study() != study_) {
        onStudyChanged();
        return;
    }
    // Slice, crosshair or channel changed: the hovered voxel is no longer where it was
    // (the wheel moves the slice under a still mouse); show the crosshair's curve until the
    // mouse moves again.
    hovered_.reset();
    showCurve();
}

void KineticsController::onHover(qint64 i, qint64 j, qint64 k) {
    if (i < 0 || study_ == nullptr) {
        hovered_.reset();
    } else {
        hovered_ = io::Index3{i, j, k};
    }
    showCurve();
}

void KineticsController::showCurve() {
    if (study_ == nullptr || !viewer::hasDynamicPhases(*study_)) {
        panel_->clear();
        return;
    }
    const io::Index3 cursor = document_->cursor();
    const auto crosshair = viewer::kineticCurve(*study_, cursor, {}, noiseFloor_);
    if (hovered_ && *hovered_ != cursor) {
        panel_->setCurve(viewer::kineticCurve(*study_, *hovered_, {}, noiseFloor_), false);
        panel_->setReference(crosshair);
    } else {
        panel_->setCurve(crosshair, true);
        panel_->setReference(std::nullopt);
    }
}

void KineticsController::requestMap() {
    ++generation_;
    if (running_ != nullptr) {
        running_->cancel = true;
        running_.reset();
    }
    if (!mapAction_->isChecked() || study_ == nullptr) {
        map_.reset();
        applyOverlay();
        window_->statusBar()->clearMessage();
        return;
    }
    viewer::KineticMapOptions options;
    options.thresholdPercent = threshold_->value();
    options.noiseFloor = noiseFloor_;
    auto job = std::make_shared<Job>();
    running_ = job;
    const int generation = generation_;
    std::shared_ptr<const io::Study> study = document_->sharedStudy();
    window_->statusBar()->showMessage(tr("Computing the kinetic map..."));
    auto* watcher = new QFutureWatcher<std::shared_ptr<Result>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<Result>>::finished, this,
            [this, watcher, generation] {
                watcher->deleteLater();
                onMapReady(generation, watcher->result());
            });
    watcher->setFuture(QtConcurrent::run([study, options, job] {
        auto result = std::make_shared<Result>();
        try {
            auto map = viewer::kineticMap(*study, options, job.get());
            for (const float v : map->voxels()) {
                ++result->counts[static_cast<std::size_t>(v) & 3U];
            }
            result->map = std::move(map);
        } catch (const io::IoError& e) {
            if (e.code() != io::ErrorCode::Cancelled) {
                result->error = QString::fromStdString(e.what());
            }
        } catch (const std::exception& e) {  // e.g. out of memory: say so, do not crash
            result->error = QString::fromStdString(io::reasonOf(e));
        }
        return result;
    }));
}

void KineticsController::onMapReady(int generation, const std::shared_ptr<Result>& result) {
    if (generation != generation_) {
        return;  // stale: another study, threshold or toggle since
    }
    running_.reset();
    if (result->map == nullptr) {
        if (!result->error.isEmpty()) {
            window_->statusBar()->showMessage(
                tr("Cannot compute the kinetic map: %1").arg(result->error));
        }
        return;
    }
    map_ = result->map;
    window_->statusBar()->showMessage(
        tr("Kinetic map (initial enhancement ≥ %1 %): %2 persistent, %3 plateau, %4 washout "
           "voxels")
            .arg(threshold_->value())
            .arg(result->counts[1])
            .arg(result->counts[2])
            .arg(result->counts[3]),
        8000);
    applyOverlay();
}

void KineticsController::applyOverlay() {
    viewer::OverlayLayer layer;
    layer.volume = map_;
    layer.colorMap = viewer::ColorMap::Kinetic;
    layer.threshold = 0.5;
    layer.maximum = 3.0;
    layer.opacity = opacity_->value() / 100.0;
    layer.visible = map_ != nullptr;
    for (const auto& v : views_) {
        if (v != nullptr) {
            v->setOverlay(layer);
        }
    }
    colorBar_->setLayer(layer);
    Q_EMIT mapChanged();
}

}  // namespace bmsc::app
