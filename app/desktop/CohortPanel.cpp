#include "CohortPanel.h"

#include <QHeaderView>
#include <QScrollBar>

#include <algorithm>

namespace bmsc::app {

CohortPanel::CohortPanel(QWidget* parent) : QTableWidget(0, 5, parent) {
    setObjectName(QStringLiteral("cohortTable"));
    setHorizontalHeaderLabels(
        {tr("Patient"), tr("Left"), tr("Right"), tr("Lesions"), tr("Status")});
    verticalHeader()->hide();
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setAlternatingRowColors(true);
    horizontalHeader()->setStretchLastSection(true);
    connect(this, &QTableWidget::currentCellChanged, this, [this](int row, int, int previous, int) {
        if (row >= 0 && row != previous) {
            Q_EMIT patientChosen(patientAt(row));
        }
    });
}

CohortPanel::Status CohortPanel::annotationStatus(const io::Cohort& cohort,
                                                  const std::string& patientId,
                                                  const io::Geometry* studyGeometry) {
    int malignantBreasts = 0;
    for (const io::Side side : {io::Side::Left, io::Side::Right}) {
        const auto breast = cohort.breast(patientId, side);
        if (!breast || breast->label == io::Label::Unlabelled) {
            return Status::LabelsMissing;
        }
        malignantBreasts += breast->label == io::Label::Malignant ? 1 : 0;
    }
    const auto lesions = cohort.lesionsOf(patientId);
    if (studyGeometry != nullptr) {
        for (const io::Side side : {io::Side::Left, io::Side::Right}) {
            if (cohort.breast(patientId, side)->label != io::Label::Malignant) {
                continue;
            }
            const bool found = std::any_of(lesions.begin(), lesions.end(), [&](const auto& l) {
                return io::Cohort::sideOfPoint(*studyGeometry, l.position) == side;
            });
            if (!found) {
                return Status::NoLesions;
            }
        }
        return Status::Complete;
    }
    const auto malignantLesions = std::count_if(lesions.begin(), lesions.end(), [](const auto& l) {
        return l.label == io::Label::Malignant;
    });
    return malignantLesions >= malignantBreasts ? Status::Complete : Status::NoLesions;
}

QString CohortPanel::statusText(Status status) const {
    switch (status) {
        case Status::Complete:
            return tr("complete");
        case Status::LabelsMissing:
            return tr("labels missing");
        case Status::NoLesions:
            break;
    }
    return tr("no lesions");
}

void CohortPanel::setCohort(const io::Cohort& cohort) {
    cohort_ = cohort;
    geometries_.clear();
    const QSignalBlocker block(this);
    setCurrentIndex(QModelIndex());  // the next row chosen is news, even row 0 again
    clearContents();
    const auto ids = cohort.patients();
    setRowCount(static_cast<int>(ids.size()));
    for (int row = 0; row < rowCount(); ++row) {
        fillRow(row, ids[static_cast<std::size_t>(row)]);
    }
    resizeColumnsToContents();
    updateGeometry();  // the dock widens to show every column
}

void CohortPanel::fillRow(int row, const std::string& id) {
    const io::Cohort& cohort = *cohort_;
    auto label = [&](io::Side side) {
        const auto b = cohort.breast(id, side);
        if (!b || b->label == io::Label::Unlabelled) {
            return tr("?");
        }
        return b->label == io::Label::Malignant ? tr("malignant") : tr("benign");
    };
    const auto geometry = geometries_.find(id);
    const Status status =
        annotationStatus(cohort, id, geometry == geometries_.end() ? nullptr : &geometry->second);
    const QString texts[] = {QString::fromStdString(id), label(io::Side::Left),
                             label(io::Side::Right), QString::number(cohort.lesionsOf(id).size()),
                             statusText(status)};
    for (int column = 0; column < 5; ++column) {
        auto* item = new QTableWidgetItem(texts[column]);
        if (column == LesionsColumn) {
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        if (column == StatusColumn && status != Status::Complete) {
            item->setForeground(QColor(200, 110, 0));
        }
        setItem(row, column, item);
    }
}

QSize CohortPanel::sizeHint() const {
    const int width =
        horizontalHeader()->length() + verticalScrollBar()->sizeHint().width() + 2 * frameWidth();
    return {std::max(width, 200), QTableWidget::sizeHint().height()};
}

QString CohortPanel::patientAt(int row) const {
    const QTableWidgetItem* it = item(row, PatientColumn);
    return it == nullptr ? QString() : it->text();
}

void CohortPanel::setStudyGeometry(const QString& patientId, const io::Geometry& geometry) {
    if (!cohort_) {
        return;
    }
    geometries_[patientId.toStdString()] = geometry;
    for (int row = 0; row < rowCount(); ++row) {
        if (patientAt(row) == patientId) {
            const QSignalBlocker block(this);
            fillRow(row, patientId.toStdString());
        }
    }
}

}  // namespace bmsc::app
