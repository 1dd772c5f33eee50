#include "breastmsc/ml/LearningCurves.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/Checkpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>

namespace bmsc::ml {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double numberOr(const json& epoch, const char* key, double fallback) {
    const auto it = epoch.find(key);
    return it != epoch.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string text(double v, const char* format) {
    if (!std::isfinite(v)) {
        return "";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

/// One line colour per fold (ColorBrewer's Dark2), repeated past eight folds.
const char* foldColour(int fold) {
    constexpr std::array<const char*, 8> colours{"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                                 "#66a61e", "#e6ab02", "#a6761d", "#666666"};
    return colours[static_cast<std::size_t>(fold) % colours.size()];
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw` (> 0).
double niceStep(double raw) {
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 2.5, 5.0}) {
        if (m * power >= raw * (1.0 - 1e-9)) {
            return m * power;
        }
    }
    return 10.0 * power;
}

/// A panel's frame, ticks and labels; maps data to pixels.
struct Panel {
    double left = 0, top = 0, width = 320, height = 180;
    double xMax = 1, yMin = 0, yMax = 1, yStep = 0.25;
    double x(double epoch) const { return left + width * epoch / xMax; }
    double y(double v) const {
        return top + height * (1.0 - (std::clamp(v, yMin, yMax) - yMin) / (yMax - yMin));
    }
};

void drawFrame(std::ostringstream& s, const Panel& p, const std::string& title,
               const std::string& yLabel) {
    s << "<rect x=\"" << p.left << "\" y=\"" << p.top << "\" width=\"" << p.width << "\" height=\""
      << p.height << "\" fill=\"none\" stroke=\"black\"/>\n";
    const int yTicks = static_cast<int>(std::lround((p.yMax - p.yMin) / p.yStep));
    for (int k = 0; k <= yTicks; ++k) {
        const double v = p.yMin + p.yStep * k;
        s << "<text x=\"" << p.left - 6 << "\" y=\"" << p.y(v) + 4 << "\" text-anchor=\"end\">"
          << text(v, "%g") << "</text>\n";
    }
    // Whole epochs, about four ticks.
    const double xStep = std::max(1.0, std::round(niceStep(p.xMax / 4.0)));
    for (double e = 0; e <= p.xMax + 1e-9; e += xStep) {
        s << "<text x=\"" << p.x(e) << "\" y=\"" << p.top + p.height + 16
          << "\" text-anchor=\"middle\">" << text(e, "%.0f") << "</text>\n";
    }
    s << "<text x=\"" << p.left + p.width / 2 << "\" y=\"" << p.top - 8
      << "\" text-anchor=\"middle\">" << title << "</text>\n";
    const double cx = p.left - 40, cy = p.top + p.height / 2;
    s << "<text x=\"" << cx << "\" y=\"" << cy
      << "\" text-anchor=\"middle\" transform=\"rotate(-90 " << cx << ' ' << cy << ")\">" << yLabel
      << "</text>\n";
}

/// A polyline through one network's finite values (epochs 1-based on the x axis).
void drawLine(std::ostringstream& s, const Panel& p, const std::vector<const EpochRecord*>& rows,
              double EpochRecord::*value, const char* colour, bool dashed, double strokeWidth) {
    std::ostringstream points;
    int n = 0;
    for (const auto* r : rows) {
        const double v = r->*value;
        if (std::isfinite(v)) {
            points << p.x(r->epoch + 1) << ',' << p.y(v) << ' ';
            ++n;
        }
    }
    if (n == 0) {
        return;
    }
    s << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"" << strokeWidth << '"'
      << (dashed ? " stroke-dasharray=\"5,3\"" : "") << " points=\"" << points.str() << "\"/>\n";
}

std::string curvesSvg(const std::vector<EpochRecord>& epochs) {
    std::vector<int> stages;
    for (const auto& e : epochs) {
        if (std::find(stages.begin(), stages.end(), e.stage) == stages.end()) {
            stages.push_back(e.stage);
        }
    }
    std::sort(stages.begin(), stages.end());
    const double panelWidth = 320, panelHeight = 180, marginLeft = 70, gapX = 90, marginTop = 40,
                 gapY = 70;
    int folds = 0;
    for (const auto& e : epochs) {
        folds = std::max(folds, e.fold + 1);
    }
    // The legend: a colour per fold, as many to a row as fit, then the line styles.
    const double width = marginLeft + stages.size() * (panelWidth + gapX), legendStep = 80;
    const int perRow = std::max(1, static_cast<int>((width - marginLeft) / legendStep));
    const int legendRows = (folds + perRow - 1) / perRow + 1;
    const double legendTop = marginTop + 2 * panelHeight + gapY + 56;
    const double height = legendTop + 20 * legendRows + 8;
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const int stage = stages[i];
        // The networks of this stage, in file order (fold, then member).
        std::vector<std::vector<const EpochRecord*>> lines;
        double epochsMax = 1, lossMax = 0, aurocMin = 0.5;
        for (const auto& e : epochs) {
            if (e.stage != stage) {
                continue;
            }
            if (lines.empty() || lines.back().front()->fold != e.fold ||
                lines.back().front()->member != e.member) {
                lines.emplace_back();
            }
            lines.back().push_back(&e);
            epochsMax = std::max(epochsMax, static_cast<double>(e.epoch + 1));
            for (const double v : {e.trainLoss, e.validationLoss}) {
                if (std::isfinite(v)) {
                    lossMax = std::max(lossMax, v);
                }
            }
            if (std::isfinite(e.validationAuroc) && e.validationAuroc < 0.5) {
                aurocMin = 0.0;  // the axis starts at 0.5 unless a fold falls below it
            }
        }
        const double left = marginLeft + i * (panelWidth + gapX);
        Panel loss;
        loss.left = left;
        loss.top = marginTop;
        loss.width = panelWidth;
        loss.height = panelHeight;
        loss.xMax = epochsMax;
        loss.yStep = niceStep(lossMax > 0 ? lossMax / 5.0 : 0.2);
        loss.yMax = loss.yStep * std::max(1.0, std::ceil(lossMax / loss.yStep - 1e-9));
        Panel auroc = loss;
        auroc.top = marginTop + panelHeight + gapY;
        auroc.yMin = aurocMin;
        auroc.yMax = 1.0;
        auroc.yStep = aurocMin < 0.5 ? 0.2 : 0.1;
        const std::string name = "Stage " + std::to_string(stage);
        drawFrame(s, loss, name + ": loss", "cross-entropy");
        drawFrame(s, auroc, name + ": validation AUROC", "AUROC");
        s << "<text x=\"" << left + panelWidth / 2 << "\" y=\"" << auroc.top + panelHeight + 34
          << "\" text-anchor=\"middle\">epoch</text>\n";
        for (const auto& rows : lines) {
            const auto* colour = foldColour(rows.front()->fold);
            const double strokeWidth = rows.front()->member == 0 ? 1.6 : 0.8;
            drawLine(s, loss, rows, &EpochRecord::trainLoss, colour, false, strokeWidth);
            drawLine(s, loss, rows, &EpochRecord::validationLoss, colour, true, strokeWidth);
            drawLine(s, auroc, rows, &EpochRecord::validationAuroc, colour, false, strokeWidth);
        }
    }
    for (int k = 0; k < folds; ++k) {
        const double x = marginLeft + legendStep * (k % perRow);
        const double y = legendTop + 20 * (k / perRow);
        s << "<line x1=\"" << x << "\" y1=\"" << y - 4 << "\" x2=\"" << x + 22 << "\" y2=\""
          << y - 4 << "\" stroke=\"" << foldColour(k) << "\" stroke-width=\"2\"/>\n<text x=\""
          << x + 26 << "\" y=\"" << y << "\">fold " << k + 1 << "</text>\n";
    }
    s << "<text x=\"" << marginLeft << "\" y=\"" << legendTop + 20 * (legendRows - 1)
      << "\">loss: solid training, dashed validation; thin lines: further ensemble members</text>\n"
      << "</svg>\n";
    return s.str();
}

}  // namespace

std::vector<EpochRecord> readLearningCurves(const std::vector<CurveSource>& sources) {
    std::vector<EpochRecord> epochs;
    for (const int stage : {1, 2}) {
        for (const auto& source : sources) {
            const auto file = source.folder / ("stage" + std::to_string(stage) + "_last.pt");
            std::error_code ec;
            if (!fs::exists(file, ec)) {
                continue;
            }
            const auto meta = readCheckpointMeta(file);
            const auto history = meta.find("history");
            if (history == meta.end() || !history->is_array()) {
                throw io::IoError(io::ErrorCode::Corrupt, file,
                                  "checkpoint holds no history of its epochs");
            }
            for (const auto& e : *history) {
                if (!e.is_object() || !e.contains("epoch") || !e["epoch"].is_number_integer()) {
                    throw io::IoError(io::ErrorCode::Corrupt, file,
                                      "an epoch of the checkpoint's history has no number");
                }
                EpochRecord r;
                r.fold = source.fold;
                r.member = source.member;
                r.stage = stage;
                r.epoch = e["epoch"].get<int>();
                r.trainLoss = numberOr(e, "train_loss", kNaN);
                r.validationLoss = numberOr(e, "validation_loss", kNaN);
                r.validationAuroc = numberOr(e, "validation_auroc", kNaN);
                r.improved = e.value("improved", false);
                r.seconds = numberOr(e, "seconds", kNaN);
                epochs.push_back(r);
            }
        }
    }
    return epochs;
}

void writeLearningCurves(const fs::path& run, const std::vector<EpochRecord>& epochs) {
    if (epochs.empty()) {
        return;
    }
    io::CsvTable table({"fold", "member", "stage", "epoch", "train_loss", "validation_loss",
                        "validation_auroc", "selected", "seconds"});
    for (const auto& e : epochs) {
        table.addRow(
            {std::to_string(e.fold + 1), std::to_string(e.member + 1), std::to_string(e.stage),
             std::to_string(e.epoch + 1), text(e.trainLoss, "%.6f"), text(e.validationLoss, "%.6f"),
             text(e.validationAuroc, "%.6f"), e.improved ? "1" : "0", text(e.seconds, "%.3f")});
    }
    table.write(run / "curves.csv");
    const auto svg = curvesSvg(epochs);
    io::writeFileAtomically(run / "curves.svg", [&](std::ostream& out) { out << svg; });
}

}  // namespace bmsc::ml
