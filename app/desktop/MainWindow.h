#pragma once

#include "model/StudyDocument.h"

#include <QMainWindow>

class QActionGroup;
class QLabel;
class QListWidget;
class QProgressDialog;
class QSlider;

namespace bmsc::viewer {
class SliceView;
}

namespace bmsc::app {

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

private:
    void buildMenus();
    void openStudyDialog();
    void openCohortDialog();
    void openCohort(const QString& folder);
    void loadStudy(const QString& folder, const QString& label);
    void onLoaded(std::shared_ptr<const io::Study> study, const QString& label);
    void onFailed(const QString& message, bool cancelled);
    void closeProgress();
    void showVoxel(qint64 i, qint64 j, qint64 k);
    void setTripleLayout(bool triple);
    void syncControls();
    void about();

    viewer::StudyDocument document_;
    viewer::SliceView* view_ = nullptr;  ///< axial
    viewer::SliceView* coronal_ = nullptr;
    viewer::SliceView* sagittal_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* voxelLabel_ = nullptr;
    QListWidget* cohortList_ = nullptr;
    QActionGroup* channelActions_ = nullptr;
    StudyLoader* loader_ = nullptr;
    QProgressDialog* progress_ = nullptr;
    QString cohortFolder_;
};

}  // namespace bmsc::app
