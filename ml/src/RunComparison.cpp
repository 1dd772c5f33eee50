#include "breastmsc/ml/RunComparison.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/ml/RunReport.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <tuple>

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;

namespace {

/// A scored row of predictions.csv: patient, side, lesion (-1 for a whole breast).
using Key = std::tuple<std::string, std::string, int>;

struct Scored {
    int fold = 0;
    int label = 0;
    double probability = 0.0;
};

/// Every labelled row of the run's fold<k>/predictions.csv files.
std::map<Key, Scored> readRun(const fs::path& run) {
    std::vector<std::pair<int, fs::path>> files;
    std::error_code ec;
    for (fs::directory_iterator it(run, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.size() > 4 && name.starts_with("fold") &&
            std::all_of(name.begin() + 4, name.end(),
                        [](char c) { return c >= '0' && c <= '9'; }) &&
            fs::exists(it->path() / "predictions.csv")) {
            files.emplace_back(std::stoi(name.substr(4)) - 1, it->path() / "predictions.csv");
        }
    }
    if (files.empty()) {
        throw IoError(ErrorCode::NotFound, run,
                      "no fold<k>/predictions.csv: not a training run, or no fold has finished");
    }
    std::sort(files.begin(), files.end());
    std::map<Key, Scored> rows;
    for (const auto& [fold, file] : files) {
        const auto p = readPredictions(file, fold);
        for (std::size_t i = 0; i < p.probabilities.size(); ++i) {
            if (p.labels[i] < 0) {
                continue;
            }
            const Key key{p.patientIds[i], p.sides[i], p.lesions[i]};
            if (!rows.emplace(key, Scored{fold, p.labels[i], p.probabilities[i]}).second) {
                throw IoError(ErrorCode::InvalidValue, file,
                              "breast " + p.patientIds[i] + " " + p.sides[i] +
                                  " is predicted in more than one fold");
            }
        }
    }
    return rows;
}

}  // namespace

RunComparison compareRuns(const fs::path& runA, const fs::path& runB, int resamples, double level,
                          std::uint64_t seed) {
    if (resamples < 1 || !(level > 0.0 && level < 1.0)) {
        throw IoError(ErrorCode::InvalidArgument, {},
                      "resamples must be at least 1 and the level in (0, 1)");
    }
    const auto a = readRun(runA);
    const auto b = readRun(runB);
    const auto differ = [&](const std::string& what) {
        return IoError(ErrorCode::InvalidValue, runB,
                       what + " than " + runA.string() + ": not the same cohort");
    };
    if (a.size() != b.size() ||
        !std::equal(a.begin(), a.end(), b.begin(),
                    [](const auto& x, const auto& y) { return x.first == y.first; })) {
        throw differ("holds other breasts");
    }
    // In key order; the breasts of a patient are adjacent.
    std::vector<int> labels;
    std::vector<double> scoresA, scoresB;
    std::vector<std::vector<std::size_t>> byPatient;
    bool sameFolds = true;
    std::string lastPatient;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia->second.label != ib->second.label) {
            throw differ("labels " + std::get<0>(ia->first) + " " + std::get<1>(ia->first) +
                         " otherwise");
        }
        sameFolds = sameFolds && ia->second.fold == ib->second.fold;
        if (byPatient.empty() || std::get<0>(ia->first) != lastPatient) {
            byPatient.emplace_back();
            lastPatient = std::get<0>(ia->first);
        }
        byPatient.back().push_back(labels.size());
        labels.push_back(ia->second.label);
        scoresA.push_back(ia->second.probability);
        scoresB.push_back(ib->second.probability);
    }

    RunComparison c;
    c.patients = static_cast<std::int64_t>(byPatient.size());
    c.breasts = static_cast<std::int64_t>(labels.size());
    c.pooledA = auroc(scoresA, labels);
    c.pooledB = auroc(scoresB, labels);
    if (!std::isfinite(c.pooledA)) {
        throw IoError(ErrorCode::InvalidValue, runA, "the predictions hold one class only");
    }

    // The paired bootstrap over patients; draws with one class only are drawn again.
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, byPatient.size() - 1);
    std::vector<double> differences;
    std::vector<int> y;
    std::vector<double> sa, sb;
    for (long attempt = 0; std::ssize(differences) < resamples; ++attempt) {
        if (attempt > 100L * resamples) {
            throw IoError(ErrorCode::InvalidValue, runA,
                          "too few patients of one class for a bootstrap");
        }
        y.clear();
        sa.clear();
        sb.clear();
        for (std::size_t n = 0; n < byPatient.size(); ++n) {
            for (const auto i : byPatient[pick(rng)]) {
                y.push_back(labels[i]);
                sa.push_back(scoresA[i]);
                sb.push_back(scoresB[i]);
            }
        }
        const double da = auroc(sa, y);
        if (std::isfinite(da)) {
            differences.push_back(da - auroc(sb, y));
        }
    }
    std::sort(differences.begin(), differences.end());
    const auto n = static_cast<double>(differences.size());
    const double tail = (1.0 - level) / 2.0;
    c.difference.low = differences[static_cast<std::size_t>(std::floor(tail * n))];
    c.difference.high = differences[static_cast<std::size_t>(std::ceil((1.0 - tail) * n)) - 1];
    c.shareAtMostZero = static_cast<double>(std::count_if(differences.begin(), differences.end(),
                                                          [](double d) { return d <= 0.0; })) /
                        n;
    c.resamples = resamples;

    if (sameFolds) {
        std::map<int, std::vector<std::size_t>> members;
        std::size_t i = 0;
        for (const auto& [key, s] : a) {
            members[s.fold].push_back(i++);
        }
        std::vector<double> foldDifferences;
        for (const auto& [fold, rows] : members) {
            std::vector<int> fy;
            std::vector<double> fa, fb;
            for (const auto r : rows) {
                fy.push_back(labels[r]);
                fa.push_back(scoresA[r]);
                fb.push_back(scoresB[r]);
            }
            FoldComparison f{fold, std::ssize(rows), auroc(fa, fy), auroc(fb, fy)};
            c.folds.push_back(f);
            if (std::isfinite(f.aurocA) && std::isfinite(f.aurocB)) {
                foldDifferences.push_back(f.aurocA - f.aurocB);
            }
        }
        c.foldDifference = meanStd(foldDifferences);
    }
    return c;
}

}  // namespace bmsc::ml
