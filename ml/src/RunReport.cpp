#include "breastmsc/ml/RunReport.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace bmsc::ml {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string fmt(double v, const char* format = "%.6f") {
    if (!std::isfinite(v)) {
        return "nan";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

json number(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}
double fromNumber(const json& j) {
    return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

/// Scored (labelled) entries only.
void scored(const FoldPredictions& p, std::vector<double>& probs, std::vector<int>& labels) {
    for (std::size_t i = 0; i < p.labels.size(); ++i) {
        if (p.labels[i] >= 0) {
            probs.push_back(p.probabilities[i]);
            labels.push_back(p.labels[i]);
        }
    }
}

std::string rocSvg(const std::vector<double>& grid, const std::vector<double>& mean,
                   const std::vector<double>& sd, const std::string& title) {
    const double size = 400, margin = 50;
    auto px = [&](double f) { return margin + f * size; };
    auto py = [&](double t) { return margin + (1.0 - t) * size; };
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << size + 2 * margin << "\" height=\""
      << size + 2 * margin << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<rect x=\"" << margin << "\" y=\"" << margin << "\" width=\"" << size << "\" height=\""
      << size << "\" fill=\"none\" stroke=\"black\"/>\n";
    // ±1 std band.
    s << "<polygon fill=\"#9ecae1\" fill-opacity=\"0.5\" stroke=\"none\" points=\"";
    for (std::size_t i = 0; i < grid.size(); ++i) {
        s << px(grid[i]) << ',' << py(std::min(1.0, mean[i] + sd[i])) << ' ';
    }
    for (std::size_t i = grid.size(); i-- > 0;) {
        s << px(grid[i]) << ',' << py(std::max(0.0, mean[i] - sd[i])) << ' ';
    }
    s << "\"/>\n<polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < grid.size(); ++i) {
        s << px(grid[i]) << ',' << py(mean[i]) << ' ';
    }
    s << "\"/>\n<line x1=\"" << px(0) << "\" y1=\"" << py(0) << "\" x2=\"" << px(1) << "\" y2=\""
      << py(1) << "\" stroke=\"gray\" stroke-dasharray=\"4,4\"/>\n";
    for (int k = 0; k <= 5; ++k) {
        const double v = k / 5.0;
        s << "<text x=\"" << px(v) << "\" y=\"" << py(0) + 18 << "\" text-anchor=\"middle\">"
          << fmt(v, "%.1f") << "</text>\n<text x=\"" << px(0) - 8 << "\" y=\"" << py(v) + 4
          << "\" text-anchor=\"end\">" << fmt(v, "%.1f") << "</text>\n";
    }
    s << "<text x=\"" << px(0.5) << "\" y=\"" << size + 2 * margin - 8
      << "\" text-anchor=\"middle\">false-positive rate</text>\n<text x=\"14\" y=\"" << py(0.5)
      << "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " << py(0.5)
      << ")\">true-positive rate</text>\n<text x=\"" << px(0.5) << "\" y=\"" << margin - 14
      << "\" text-anchor=\"middle\">" << title << "</text>\n</svg>\n";
    return s.str();
}

}  // namespace

void writePredictions(const fs::path& file, const FoldPredictions& p) {
    io::CsvTable table({"patient_id", "side", "lesion", "label", "probability"});
    for (std::size_t i = 0; i < p.probabilities.size(); ++i) {
        const std::string label =
            p.labels[i] < 0 ? "" : (p.labels[i] == 1 ? "malignant" : "benign");
        table.addRow({p.patientIds[i], p.sides[i],
                      p.lesions[i] < 0 ? "" : std::to_string(p.lesions[i]), label,
                      fmt(p.probabilities[i], "%.9g")});
    }
    table.write(file);
}

FoldPredictions readPredictions(const fs::path& file, int fold) {
    const auto table = io::CsvTable::read(file);
    FoldPredictions p;
    p.fold = fold;
    const auto col = [&](const char* name) {
        const auto c = table.column(name);
        if (!c) {
            throw io::IoError(io::ErrorCode::MalformedCsv, file,
                              std::string("missing column '") + name + "'", 1);
        }
        return *c;
    };
    const auto id = col("patient_id"), side = col("side"), lesion = col("lesion"),
               label = col("label"), prob = col("probability");
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        const auto& row = table.row(r);
        p.patientIds.push_back(row[id]);
        p.sides.push_back(row[side]);
        p.lesions.push_back(row[lesion].empty() ? -1 : std::stoi(row[lesion]));
        p.labels.push_back(row[label].empty() ? -1 : (row[label] == "malignant" ? 1 : 0));
        try {
            p.probabilities.push_back(std::stod(row[prob]));
        } catch (const std::exception&) {
            throw io::IoError(io::ErrorCode::MalformedCsv, file, "probability is not a number",
                              table.lineOf(r));
        }
    }
    return p;
}

json writeRunReport(const fs::path& run, const std::vector<FoldPredictions>& folds,
                    const json& extra) {
    std::vector<double> grid(101);
    for (std::size_t i = 0; i < grid.size(); ++i) {
        grid[i] = static_cast<double>(i) / 100.0;
    }
    json perFold = json::array();
    std::vector<double> aurocs, accuracies, sensitivities, specificities;
    std::vector<std::vector<double>> tprs;
    std::vector<double> allProbs;
    std::vector<int> allLabels;
    for (const auto& f : folds) {
        std::vector<double> probs;
        std::vector<int> labels;
        scored(f, probs, labels);
        allProbs.insert(allProbs.end(), probs.begin(), probs.end());
        allLabels.insert(allLabels.end(), labels.begin(), labels.end());
        const auto m = binaryMetrics(probs, labels);
        const auto ci = bootstrapAurocCi(probs, labels, 1000, 0.95, 1);
        perFold.push_back({{"fold", f.fold + 1},
                           {"count", m.count},
                           {"auroc", number(m.auroc)},
                           {"auroc_ci95", {number(ci.low), number(ci.high)}},
                           {"accuracy", number(m.accuracy)},
                           {"sensitivity", number(m.sensitivity)},
                           {"specificity", number(m.specificity)}});
        if (std::isfinite(m.auroc)) {
            aurocs.push_back(m.auroc);
            tprs.push_back(interpolateTpr(rocCurve(probs, labels), grid));
        }
        accuracies.push_back(m.accuracy);
        sensitivities.push_back(m.sensitivity);
        specificities.push_back(m.specificity);
    }
    auto ms = [](const std::vector<double>& v) {
        const auto r = meanStd(v);
        return json{{"mean", number(r.mean)}, {"std", number(v.size() > 1 ? r.std : 0.0)}};
    };
    const auto pooledCi = bootstrapAurocCi(allProbs, allLabels, 1000, 0.95, 1);
    json metrics = {{"folds", perFold},
                    {"auroc", ms(aurocs)},
                    {"accuracy", ms(accuracies)},
                    {"sensitivity", ms(sensitivities)},
                    {"specificity", ms(specificities)},
                    {"pooled_auroc", number(auroc(allProbs, allLabels))},
                    {"pooled_auroc_ci95", {number(pooledCi.low), number(pooledCi.high)}}};
    for (const auto& [k, v] : extra.items()) {
        metrics[k] = v;
    }
    io::writeFileAtomically(run / "metrics.json",
                            [&](std::ostream& o) { o << metrics.dump(2) << '\n'; });
    io::writeFileAtomically(run / "metrics.csv", [&](std::ostream& o) {
        o << "fold,count,auroc,auroc_ci_low,auroc_ci_high,accuracy,sensitivity,specificity\n";
        for (const auto& f : perFold) {
            o << f["fold"] << ',' << f["count"] << ',' << fmt(fromNumber(f["auroc"])) << ','
              << fmt(fromNumber(f["auroc_ci95"][0])) << ',' << fmt(fromNumber(f["auroc_ci95"][1]))
              << ',' << fmt(fromNumber(f["accuracy"])) << ',' << fmt(fromNumber(f["sensitivity"]))
              << ',' << fmt(fromNumber(f["specificity"])) << '\n';
        }
        for (const char* stat : {"mean", "std"}) {
            o << stat << ",," << fmt(fromNumber(metrics["auroc"][stat])) << ",,,"
              << fmt(fromNumber(metrics["accuracy"][stat])) << ','
              << fmt(fromNumber(metrics["sensitivity"][stat])) << ','
              << fmt(fromNumber(metrics["specificity"][stat])) << '\n';
        }
    });
    std::vector<double> mean(grid.size(), 0.0), sd(grid.size(), 0.0);
    for (std::size_t i = 0; i < grid.size(); ++i) {
        std::vector<double> column;
        for (const auto& t : tprs) {
            column.push_back(t[i]);
        }
        if (!column.empty()) {
            const auto r = meanStd(column);
            mean[i] = r.mean;
            sd[i] = column.size() > 1 ? r.std : 0.0;
        }
    }
    if (!mean.empty() && !tprs.empty()) {
        mean.front() = 0.0;  // the curves start at (0, 0) as in the paper's Fig. 2
        sd.front() = 0.0;
    }
    io::writeFileAtomically(run / "roc.csv", [&](std::ostream& o) {
        o << "fpr,tpr_mean,tpr_std,tpr_low,tpr_high\n";
        for (std::size_t i = 0; i < grid.size(); ++i) {
            o << fmt(grid[i], "%.2f") << ',' << fmt(mean[i]) << ',' << fmt(sd[i]) << ','
              << fmt(std::max(0.0, mean[i] - sd[i])) << ',' << fmt(std::min(1.0, mean[i] + sd[i]))
              << '\n';
        }
    });
    const auto a = meanStd(aurocs);
    const std::string title = "mean ROC over " + std::to_string(tprs.size()) + " folds, AUROC " +
                              fmt(a.mean, "%.3f") + " \xc2\xb1 " +
                              fmt(aurocs.size() > 1 ? a.std : 0.0, "%.3f");
    io::writeFileAtomically(run / "roc.svg",
                            [&](std::ostream& o) { o << rocSvg(grid, mean, sd, title); });
    return metrics;
}

std::string formatMetricsTable(const json& metrics) {
    std::ostringstream s;
    char line[256];
    std::snprintf(line, sizeof line, "%-6s %6s %8s %17s %9s %11s %11s\n", "fold", "n", "AUROC",
                  "95% CI", "accuracy", "sensitivity", "specificity");
    s << line;
    for (const auto& f : metrics.at("folds")) {
        std::snprintf(line, sizeof line, "%-6d %6lld %8s   [%5s, %5s] %9s %11s %11s\n",
                      f.at("fold").get<int>(), f.at("count").get<long long>(),
                      fmt(fromNumber(f["auroc"]), "%.3f").c_str(),
                      fmt(fromNumber(f["auroc_ci95"][0]), "%.3f").c_str(),
                      fmt(fromNumber(f["auroc_ci95"][1]), "%.3f").c_str(),
                      fmt(fromNumber(f["accuracy"]), "%.3f").c_str(),
                      fmt(fromNumber(f["sensitivity"]), "%.3f").c_str(),
                      fmt(fromNumber(f["specificity"]), "%.3f").c_str());
        s << line;
    }
    auto pm = [&](const char* key) {
        return fmt(fromNumber(metrics.at(key).at("mean")), "%.3f") + "±" +
               fmt(fromNumber(metrics.at(key).at("std")), "%.3f");
    };
    std::snprintf(line, sizeof line, "%-6s %6s %8s %17s %9s %11s %11s\n", "mean", "",
                  pm("auroc").c_str(), "", pm("accuracy").c_str(), pm("sensitivity").c_str(),
                  pm("specificity").c_str());
    s << line;
    return s.str();
}

}  // namespace bmsc::ml
