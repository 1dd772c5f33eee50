#pragma once

#include "breastmsc/io/Dicom.h"
#include "breastmsc/io/StudyReader.h"

#include <QDialog>

#include <array>
#include <string>
#include <vector>

class QComboBox;
class QDialogButtonBox;
class QLabel;

namespace bmsc::app {

/// View ▸ Series Assignment: what the reader found in the study folder and decided (the
/// study's report: which series became which channel), and for DICOM studies one combo box
/// per channel to correct it. "Reload" asks for the study to be read again with the choice as
/// io::StudyReadOptions (five series in channel order, or one series with temporal positions
/// chosen for pre and nothing else; and the T2 series).
class SeriesAssignmentDialog : public QDialog {
    Q_OBJECT

public:
    /// `folder`: the study folder; `report`: io::StudyMetadata::report of the open study.
    SeriesAssignmentDialog(const QString& folder, const std::vector<std::string>& report,
                           QWidget* parent = nullptr);

    /// The options for the choice now in the combo boxes; false (and `why`) when it is
    /// incomplete (some but not all dynamic phases chosen).
    bool options(io::StudyReadOptions* options, QString* why = nullptr) const;

Q_SIGNALS:
    void reloadRequested(const bmsc::io::StudyReadOptions& options);

private:
    void validate();

    std::vector<io::DicomSeriesInfo> series_;
    std::array<QComboBox*, io::kChannelCount> combos_{};
    QLabel* problem_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace bmsc::app
