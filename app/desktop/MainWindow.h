#pragma once

#include "Screenshot.h"
#include "breastmsc/io/StudyReader.h"
#include "model/StudyDocument.h"

#include <QMainWindow>

class QActionGroup;
class QGridLayout;
class QLabel;
class QProgressBar;
class QSlider;

namespace bmsc::viewer {
class SliceView;
}

namespace bmsc::app {

class KineticsController;
class OverlayController;
class CohortPanel;
class RecentFiles;
class StudyLoader;

/// The desktop application's window: a slice view of the open study, channel keys, a slice
/// slider, the voxel values under the cursor in the status bar, and a cohort list.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a study folder or a cohort folder (as from the command line).
    void openPath(const QString& path);
    viewer::StudyDocument* document() { return &document_; }

    /// "1x1" (axial), "1x3" (axial, coronal, sagittal) or "2x2" (plus the MIP of the current
    /// subtraction); remembered in QSettings "view/layout".
    void setViewLayout(const QString& layout);
    /// Saves the active slice view (the one with focus, else the axial one) or the whole
    /// window as PNG; false and `error` (naming the file) when it cannot.
    bool saveScreenshot(const QString& path, ScreenshotTarget target, QString* error = nullptr);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildFileMenu();
    void buildViewMenu(QMenu* viewMenu);
    viewer::SliceView* activeView();
    /// Draws the slice views as the settings say ("view/display").
    void applyDisplay();
    QImage grabScreenshot(ScreenshotTarget target);
    void saveScreenshotDialog(ScreenshotTarget target);
    void showShortcuts();
    void openStudyDialog();
    void openCohortDialog();
    void openCohort(const QString& folder);
    void loadStudy(const QString& folder, const QString& label,
                   const io::StudyReadOptions& options = {});
    void showSeriesAssignment();
    void onLoaded(std::shared_ptr<const io::Study> study, const QString& label);
    void onFailed(const QString& message, bool cancelled);
    void buildLoadStatus();
    /// True (and says so in the status bar) while a study is loading: opens wait for it.
    bool refuseWhileLoading();
    void endLoad();
    void showVoxel(qint64 i, qint64 j, qint64 k);
    void syncControls();
    void about();

    viewer::StudyDocument document_;
    viewer::SliceView* view_ = nullptr;  ///< axial
    viewer::SliceView* coronal_ = nullptr;
    viewer::SliceView* sagittal_ = nullptr;
    viewer::SliceView* mip_ = nullptr;  ///< the MIP pane of the 2×2 layout
    QGridLayout* grid_ = nullptr;
    QActionGroup* layoutActions_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* voxelLabel_ = nullptr;
    CohortPanel* cohortPanel_ = nullptr;
    RecentFiles* recent_ = nullptr;
    QString pendingRecent_;  ///< a study folder to list as recent once it has loaded
    QString studyLabel_;
    QActionGroup* channelActions_ = nullptr;
    StudyLoader* loader_ = nullptr;
    KineticsController* kinetics_ = nullptr;  ///< kinetic panel, map and its dock
    OverlayController* overlay_ = nullptr;    ///< a user-loaded image over the views
    /// Reading progress in the status bar (label, bar, Cancel): created once, shown while a
    /// study loads. Not a modal dialog, whose setValue would process events and re-enter the
    /// window while a load finishes; the window stays usable and ignores other opens meanwhile.
    QWidget* loadStatus_ = nullptr;
    QLabel* loadLabel_ = nullptr;
    QProgressBar* loadBar_ = nullptr;
    QString cohortFolder_;
};

}  // namespace bmsc::app
