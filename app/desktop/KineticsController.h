#pragma once

#include "model/Kinetics.h"
#include "model/StudyDocument.h"

#include <QList>
#include <QObject>
#include <QPointer>

#include <atomic>
#include <memory>
#include <optional>

class QAction;
class QCheckBox;
class QDockWidget;
class QLabel;
class QMainWindow;
class QSlider;
class QSpinBox;

namespace bmsc::viewer {
class ColorBar;
class KineticPanel;
class SliceView;
}  // namespace bmsc::viewer

namespace bmsc::app {

/// The kinetics of the open study in the main window: a dock ("kineticDock") with the kinetic
/// panel (the curve under the mouse, or at the crosshair when the mouse is off the image), the
/// kinetic-map controls (threshold of initial enhancement in %, opacity) and the map's colour
/// bar; and the "Kinetic map" toggle (action_kineticMap, key K) that puts the colour-coded map
/// over every slice view (on a MIP: the category of the voxel each MIP pixel comes from, see
/// viewer::OverlayProjection). The map is computed on a worker thread (QtConcurrent); a newer
/// request cancels an older one and stale results are dropped, so the window stays responsive.
/// Opening another study removes the map and turns the toggle off.
class KineticsController : public QObject {
    Q_OBJECT

public:
    /// Adds the dock to `window` (right dock area) and the toggle to its actions.
    KineticsController(viewer::StudyDocument* document, QMainWindow* window);
    ~KineticsController() override;

    /// The views that show the map and whose hovering the panel follows (may be called again
    /// when the layout makes new views).
    void setViews(const QList<viewer::SliceView*>& views);
    /// For the View menu: the map toggle and the dock's show/hide action.
    QList<QAction*> viewActions() const;
    QAction* mapAction() const { return mapAction_; }
    QDockWidget* dock() const { return dock_; }
    viewer::KineticPanel* panel() const { return panel_; }

    /// The map on the views now; null while off, computing or without a study.
    std::shared_ptr<const io::Volume> map() const { return map_; }
    bool computing() const { return running_ != nullptr; }

Q_SIGNALS:
    /// The overlay on the views changed: a new map, the map removed, or its opacity.
    void mapChanged();

private:
    struct Job;
    struct Result;

    void onStudyChanged();
    void onViewChanged();
    void onHover(qint64 i, qint64 j, qint64 k);
    void showCurve();
    void requestMap();
    void onMapReady(int generation, const std::shared_ptr<Result>& result);
    void applyOverlay();
    void retranslate();
    bool eventFilter(QObject* watched, QEvent* event) override;

    viewer::StudyDocument* document_;
    QMainWindow* window_;
    QList<QPointer<viewer::SliceView>> views_;
    QDockWidget* dock_ = nullptr;
    viewer::KineticPanel* panel_ = nullptr;
    viewer::ColorBar* colorBar_ = nullptr;
    QSpinBox* threshold_ = nullptr;
    QSlider* opacity_ = nullptr;
    QAction* mapAction_ = nullptr;
    QCheckBox* mapCheck_ = nullptr;
    QLabel* thresholdLabel_ = nullptr;
    QLabel* opacityLabel_ = nullptr;

    const io::Study* study_ = nullptr;  ///< the study the floor and map belong to
    double noiseFloor_ = 0.0;
    std::optional<io::Index3> hovered_;
    std::shared_ptr<const io::Volume> map_;
    std::shared_ptr<Job> running_;
    int generation_ = 0;
};

}  // namespace bmsc::app
