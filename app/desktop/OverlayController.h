#pragma once

#include "model/OverlayLayer.h"
#include "model/StudyDocument.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

class QAction;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QMainWindow;
class QSlider;

namespace bmsc::viewer {
class ColorBar;
class SliceView;
}  // namespace bmsc::viewer

namespace bmsc::app {

class KineticsController;

/// A user-loaded overlay over every slice view: any 3D image io reads (.nii, .nii.gz, .nrrd,
/// .mha — a probability map, a CAM heat map such as `breastmsc-cli cam` writes, a
/// segmentation). "Load Overlay..." (action_loadOverlay) reads the file; an image on another
/// grid than the study is resampled onto the study grid (linear), one that does not overlap
/// the study at all is refused. It is drawn with the Hot colour map, values below the median of
/// the non-zero voxels transparent and the 99.5th percentile at full colour, opacity 0.5. The
/// "overlayDock" dock holds the colour bar, the opacity slider ("overlayOpacity") and the
/// threshold ("overlayThreshold": from the image's minimum to its maximum, set to the automatic
/// value on every load; voxels below it are not drawn and the colour bar starts at it; above
/// the automatic maximum it takes the top of the colours with it). "Overlay visible"
/// (action_overlayVisible, key O) toggles it, "Remove Overlay" (action_removeOverlay) drops it.
/// Errors (no study, unreadable file, no overlap) show a message box naming the file; the study
/// and any overlay already shown stay as they were. Opening another study removes the overlay.
///
/// A view that shows a MIP (the 2×2 layout's MIP pane) draws the overlay's maximum along the
/// MIP's axis (viewer::OverlayProjection), with the same colours, threshold and opacity.
///
/// The views draw one overlay at a time, shared with the kinetic map: the one turned on last
/// wins. Turning the kinetic map on turns "Overlay visible" off (the overlay stays loaded);
/// turning "Overlay visible" on turns the kinetic map off.
///
/// The dialog reads the file on a worker (reading one 512 × 512 × 32 .nii.gz alone takes about
/// 160 ms here — bench_viewer reads six in 950 ms — resampling and the percentiles of its
/// non-zero voxels come on top): the window stays responsive, the status
/// bar says what is loading, an error opens a (non-modal) message box. Opening another study
/// meanwhile drops the result; a second load supersedes the first.
class OverlayController : public QObject {
    Q_OBJECT

public:
    /// Adds the dock (right area, hidden until an overlay is loaded) and the actions to
    /// `window`. `kinetics` (may be null) is the owner of the other overlay of the views.
    OverlayController(viewer::StudyDocument* document, QMainWindow* window,
                      KineticsController* kinetics);

    /// The views that show the overlay (may be called again when the layout makes new views).
    void setViews(const QList<viewer::SliceView*>& views);
    /// For a menu: Load Overlay..., Overlay visible, Remove Overlay.
    QList<QAction*> actions() const;
    QAction* visibleAction() const { return visibleAction_; }
    QDockWidget* dock() const { return dock_; }
    viewer::ColorBar* colorBar() const { return colorBar_; }

    /// Reads `path` and shows it over the study, on the calling thread. On failure returns
    /// false with a translated message naming the file in `error` (when given) and changes
    /// nothing; no dialog.
    bool loadOverlay(const QString& path, QString* error = nullptr);
    /// The same on a worker; loadFinished tells the outcome (what the dialog uses).
    void loadOverlayInBackground(const QString& path);
    bool loading() const { return loading_; }
    /// Asks for a file and loads it; errors go to a message box.
    void loadOverlayDialog();
    void removeOverlay();

    /// The overlay as drawn (volume on the study grid; null volume when none is loaded).
    const viewer::OverlayLayer& layer() const { return layer_; }
    QString fileName() const { return fileName_; }
    /// True when the image was resampled onto the study grid.
    bool resampled() const { return resampled_; }

Q_SIGNALS:
    /// The overlay was loaded, removed, shown, hidden or its opacity or threshold changed.
    void overlayChanged();
    /// A background load ended: shown (`ok`), or not, with the message naming the file.
    void loadFinished(bool ok, const QString& error);

private:
    /// What loading makes of a file, off the GUI thread: the layer on `grid` (opacity not
    /// set), the image's value range, or an error naming the file.
    struct Prepared {
        viewer::OverlayLayer layer;
        double lowest = 0.0, highest = 0.0;
        bool resampled = false;
        QString error;
    };
    static Prepared prepare(const QString& path, const io::Geometry& grid);
    /// "Cannot load the overlay PATH: WHY", translated.
    static QString loadError(const QString& path, const QString& why);
    /// Shows a prepared overlay of `study` (GUI thread).
    void show(const QString& path, const io::Study* study, Prepared p);
    void onStudyChanged();
    void onVisibleToggled(bool on);
    void onKineticMapChanged();
    void onThresholdChanged(double value);
    void apply();
    void updateActions();
    void retranslate();
    bool eventFilter(QObject* watched, QEvent* event) override;

    viewer::StudyDocument* document_;
    QMainWindow* window_;
    QPointer<KineticsController> kinetics_;
    QList<QPointer<viewer::SliceView>> views_;
    QAction* loadAction_ = nullptr;
    QAction* visibleAction_ = nullptr;
    QAction* removeAction_ = nullptr;
    QDockWidget* dock_ = nullptr;
    viewer::ColorBar* colorBar_ = nullptr;
    QLabel* fileLabel_ = nullptr;
    QLabel* opacityLabel_ = nullptr;
    QSlider* opacity_ = nullptr;
    QLabel* thresholdLabel_ = nullptr;
    QDoubleSpinBox* threshold_ = nullptr;

    const io::Study* study_ = nullptr;  ///< the study the overlay belongs to
    viewer::OverlayLayer layer_;
    QString fileName_;
    bool resampled_ = false;
    double autoMaximum_ = 1.0;  ///< full colour as chosen on loading
    bool loading_ = false;
    int loadGeneration_ = 0;  ///< a background result of an older request is dropped
};

}  // namespace bmsc::app
