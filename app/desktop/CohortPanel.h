#pragma once

#include "breastmsc/io/Cohort.h"

#include <QTableWidget>

#include <map>
#include <optional>

namespace bmsc::app {

/// The cohort's patients as a table: patient, left and right breast label, lesion count and
/// annotation status. Choosing a row (click, keys) asks for that patient's study.
class CohortPanel : public QTableWidget {
    Q_OBJECT

public:
    enum Column { PatientColumn, LeftColumn, RightColumn, LesionsColumn, StatusColumn };
    /// Annotation status of a patient (COHORT-FORMAT.md):
    ///  Complete       both breasts labelled and every malignant breast has ≥ 1 lesion centre;
    ///  LabelsMissing  a breast has no row or an empty label;
    ///  NoLesions      a malignant breast without a lesion centre.
    /// Which breast a centre lies in needs the study's grid (Cohort::sideOfPoint); until the
    /// patient's study has been opened, malignant centres are counted against malignant breasts.
    enum class Status { Complete, LabelsMissing, NoLesions };
    static Status annotationStatus(const io::Cohort& cohort, const std::string& patientId,
                                   const io::Geometry* studyGeometry = nullptr);

    explicit CohortPanel(QWidget* parent = nullptr);

    /// Lists the cohort's patients (no row chosen, no signal).
    void setCohort(const io::Cohort& cohort);
    bool hasCohort() const { return cohort_.has_value(); }
    QString patientAt(int row) const;
    /// The grid of a patient's study once it is open: the status then uses the breast sides.
    void setStudyGeometry(const QString& patientId, const io::Geometry& geometry);
    /// Wide enough for every column.
    QSize sizeHint() const override;

Q_SIGNALS:
    void patientChosen(const QString& patientId);

private:
    void fillRow(int row, const std::string& id);
    QString statusText(Status status) const;

    std::optional<io::Cohort> cohort_;
    std::map<std::string, io::Geometry> geometries_;
};

}  // namespace bmsc::app
