#include "SeriesAssignmentDialog.h"

#include "breastmsc/io/Error.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

namespace bmsc::app {

namespace {

/// The channel a report line assigns the series with `uid` to ("… <uid>: … → post2 …").
std::optional<io::Channel> reportedChannel(const std::vector<std::string>& report,
                                           const std::string& uid) {
    static const std::string arrow = "\u2192 ";
    for (const std::string& line : report) {
        const auto at = line.find(uid);
        const auto to = line.rfind(arrow);
        if (at == std::string::npos || to == std::string::npos || to < at) {
            continue;
        }
        std::string name = line.substr(to + arrow.size());
        name = name.substr(0, name.find_first_of(" ,;("));
        return io::channelFromName(name);
    }
    return std::nullopt;
}

}  // namespace

SeriesAssignmentDialog::SeriesAssignmentDialog(const QString& folder,
                                               const std::vector<std::string>& report,
                                               QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("seriesAssignmentDialog"));
    setWindowTitle(tr("Series Assignment"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("What was found in %1:").arg(folder), this));
    auto* text = new QPlainTextEdit(this);
    text->setObjectName(QStringLiteral("seriesReport"));
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    QStringList lines;
    for (const std::string& line : report) {
        lines << QString::fromStdString(line);
    }
    text->setPlainText(lines.join(QLatin1Char('\n')));
    layout->addWidget(text, 1);

    if (io::detectStudyKind(folder.toStdString()) == io::StudyKind::Dicom) {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        try {
            series_ = io::scanDicomFolder(folder.toStdString());
        } catch (const io::IoError&) {
            series_.clear();  // the report above still says what was read
        }
        QApplication::restoreOverrideCursor();
    }
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    if (series_.empty()) {
        layout->addWidget(
            new QLabel(tr("The series assignment can be corrected for DICOM studies only."), this));
    } else {
        auto* box = new QGroupBox(tr("Assign series to channels"), this);
        auto* form = new QFormLayout(box);
        const QStringList labels{tr("Pre"),    tr("Post 1"), tr("Post 2"),
                                 tr("Post 3"), tr("Post 4"), tr("T2")};
        for (const io::Channel c : io::kAllChannels) {
            auto* combo = new QComboBox(box);
            combo->setObjectName(QStringLiteral("series_") +
                                 QString::fromLatin1(io::channelName(c).data()));
            combo->addItem(tr("Automatic"), QString());
            for (const auto& s : series_) {
                combo->addItem(tr("#%1 %2 (%n frame(s), %3 temporal position(s))", nullptr,
                                  static_cast<int>(s.frames))
                                   .arg(QString::fromStdString(s.seriesNumber),
                                        QString::fromStdString(s.seriesDescription))
                                   .arg(s.temporalPositions),
                               QString::fromStdString(s.seriesInstanceUid));
            }
            combo->setCurrentIndex(0);
            combos_[static_cast<std::size_t>(c)] = combo;
            form->addRow(labels[static_cast<int>(c)], combo);
        }
        // Start from what the reader decided: every series it assigned, in its channel.
        for (std::size_t n = 0; n < series_.size(); ++n) {
            if (const auto c = reportedChannel(report, series_[n].seriesInstanceUid)) {
                combos_[static_cast<std::size_t>(*c)]->setCurrentIndex(static_cast<int>(n) + 1);
            }
        }
        for (QComboBox* combo : combos_) {
            connect(combo, &QComboBox::currentIndexChanged, this,
                    &SeriesAssignmentDialog::validate);
        }
        layout->addWidget(box);
        problem_ = new QLabel(this);
        problem_->setObjectName(QStringLiteral("seriesProblem"));
        problem_->setWordWrap(true);
        layout->addWidget(problem_);
        QPushButton* reload =
            buttons_->addButton(tr("&Reload with This Assignment"), QDialogButtonBox::AcceptRole);
        reload->setObjectName(QStringLiteral("seriesReload"));
        connect(buttons_, &QDialogButtonBox::accepted, this, [this] {
            io::StudyReadOptions chosen;
            if (options(&chosen)) {
                accept();
                Q_EMIT reloadRequested(chosen);
            }
        });
        validate();
    }
    layout->addWidget(buttons_);
    resize(760, 520);
}

bool SeriesAssignmentDialog::options(io::StudyReadOptions* options, QString* why) const {
    if (series_.empty()) {
        if (why != nullptr) {
            *why = tr("Not a DICOM study.");
        }
        return false;
    }
    auto uid = [this](io::Channel c) {
        return combos_[static_cast<std::size_t>(c)]->currentData().toString().toStdString();
    };
    std::vector<std::string> dynamic;
    for (int n = 0; n < io::kDynamicChannelCount; ++n) {
        dynamic.push_back(uid(static_cast<io::Channel>(n)));
    }
    const auto chosen = std::count_if(dynamic.begin(), dynamic.end(),
                                      [](const std::string& s) { return !s.empty(); });
    const bool oneSeries = std::all_of(dynamic.begin(), dynamic.end(),
                                       [&](const std::string& s) { return s == dynamic[0]; });
    io::StudyReadOptions result;
    result.t2Series = uid(io::Channel::T2);
    if (chosen == 0) {
        result.dynamicSeries.clear();
    } else if (oneSeries || (chosen == 1 && !dynamic[0].empty())) {
        result.dynamicSeries = dynamic[0];  // one series split into its temporal positions
    } else if (chosen == io::kDynamicChannelCount) {
        for (const std::string& s : dynamic) {
            result.dynamicSeries += (result.dynamicSeries.empty() ? "" : ",") + s;
        }
    } else {
        if (why != nullptr) {
            *why =
                tr("Choose a series for each of pre and post 1-4, or one series with "
                   "temporal positions for pre only, or none (automatic).");
        }
        return false;
    }
    *options = result;
    return true;
}

void SeriesAssignmentDialog::validate() {
    io::StudyReadOptions ignored;
    QString why;
    const bool ok = options(&ignored, &why);
    problem_->setText(ok ? QString() : why);
    buttons_->button(QDialogButtonBox::Close)->setDefault(!ok);
    for (QAbstractButton* b : buttons_->buttons()) {
        if (buttons_->buttonRole(b) == QDialogButtonBox::AcceptRole) {
            b->setEnabled(ok);
        }
    }
}

}  // namespace bmsc::app
