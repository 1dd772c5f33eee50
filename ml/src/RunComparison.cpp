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

/// Two runs' scores of the same breasts, in key order (the breasts of a patient adjacent).
struct PairedScores {
    fs::path runA;
    std::map<Key, Scored> rowsA;
    std::vector<int> labels;
    std::vector<double> scoresA;
    std::vector<double> scoresB;
    std::vector<std::vector<std::size_t>> byPatient;  ///< row indices of each patient's breasts
    bool sameFolds = true;
};

PairedScores readPair(const fs::path& runA, const fs::path& runB) {
    PairedScores p;
    p.runA = runA;
    p.rowsA = readRun(runA);
    const auto b = readRun(runB);
    const auto& a = p.rowsA;
    const auto differ = [&](const std::string& what) {
        return IoError(ErrorCode::InvalidValue, runB,
                       what + " than " + runA.string() + ": not the same cohort");
    };
    if (a.size() != b.size() ||
        !std::equal(a.begin(), a.end(), b.begin(),
                    [](const auto& x, const auto& y) { return x.first == y.first; })) {
        throw differ("holds other breasts");
    }
    std::string lastPatient;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia->second.label != ib->second.label) {
            throw differ("labels " + std::get<0>(ia->first) + " " + std::get<1>(ia->first) +
                         " otherwise");
        }
        p.sameFolds = p.sameFolds && ia->second.fold == ib->second.fold;
        if (p.byPatient.empty() || std::get<0>(ia->first) != lastPatient) {
            p.byPatient.emplace_back();
            lastPatient = std::get<0>(ia->first);
        }
        p.byPatient.back().push_back(p.labels.size());
        p.labels.push_back(ia->second.label);
        p.scoresA.push_back(ia->second.probability);
        p.scoresB.push_back(ib->second.probability);
    }
    return p;
}

/// pooled AUROC A − B on one bootstrap draw of the pair's patients (both breasts of a patient
/// together, the same draw for both runs); a draw with one class only is drawn again.
double resampledDifference(const PairedScores& p, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::size_t> pick(0, p.byPatient.size() - 1);
    std::vector<int> y;
    std::vector<double> sa, sb;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        y.clear();
        sa.clear();
        sb.clear();
        for (std::size_t n = 0; n < p.byPatient.size(); ++n) {
            for (const auto i : p.byPatient[pick(rng)]) {
                y.push_back(p.labels[i]);
                sa.push_back(p.scoresA[i]);
                sb.push_back(p.scoresB[i]);
            }
        }
        const double da = auroc(sa, y);
        if (std::isfinite(da)) {
            return da - auroc(sb, y);
        }
    }
    throw IoError(ErrorCode::InvalidValue, p.runA, "too few patients of one class for a bootstrap");
}

/// The percentile interval of `differences` at `level` and the share of them ≤ 0.
std::pair<Interval, double> summarise(std::vector<double> differences, double level) {
    std::sort(differences.begin(), differences.end());
    const auto n = static_cast<double>(differences.size());
    const double tail = (1.0 - level) / 2.0;
    Interval interval;
    interval.low = differences[static_cast<std::size_t>(std::floor(tail * n))];
    interval.high = differences[static_cast<std::size_t>(std::ceil((1.0 - tail) * n)) - 1];
    const auto atMostZero =
        std::count_if(differences.begin(), differences.end(), [](double d) { return d <= 0.0; });
    return {interval, static_cast<double>(atMostZero) / n};
}

void checkArguments(int resamples, double level) {
    if (resamples < 1 || !(level > 0.0 && level < 1.0)) {
        throw IoError(ErrorCode::InvalidArgument, {},
                      "resamples must be at least 1 and the level in (0, 1)");
    }
}

RunComparison compare(const PairedScores& p, int resamples, double level, std::uint64_t seed) {
    const auto& labels = p.labels;
    const auto& scoresA = p.scoresA;
    const auto& scoresB = p.scoresB;
    RunComparison c;
    c.patients = static_cast<std::int64_t>(p.byPatient.size());
    c.breasts = static_cast<std::int64_t>(labels.size());
    c.pooledA = auroc(scoresA, labels);
    c.pooledB = auroc(scoresB, labels);
    if (!std::isfinite(c.pooledA)) {
        throw IoError(ErrorCode::InvalidValue, p.runA, "the predictions hold one class only");
    }

    std::mt19937_64 rng(seed);
    std::vector<double> differences;
    for (int r = 0; r < resamples; ++r) {
        differences.push_back(resampledDifference(p, rng));
    }
    std::tie(c.difference, c.shareAtMostZero) = summarise(std::move(differences), level);
    c.resamples = resamples;

    if (p.sameFolds) {
        std::map<int, std::vector<std::size_t>> members;
        std::size_t i = 0;
        for (const auto& [key, s] : p.rowsA) {
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

}  // namespace

RunComparison compareRuns(const fs::path& runA, const fs::path& runB, int resamples, double level,
                          std::uint64_t seed) {
    checkArguments(resamples, level);
    return compare(readPair(runA, runB), resamples, level, seed);
}

CohortsComparison compareRunPairs(const std::vector<std::pair<fs::path, fs::path>>& pairs,
                                  int resamples, double level, std::uint64_t seed) {
    checkArguments(resamples, level);
    if (pairs.empty()) {
        throw IoError(ErrorCode::InvalidArgument, {}, "no pair of runs to compare");
    }
    std::vector<PairedScores> scores;
    CohortsComparison all;
    for (const auto& [a, b] : pairs) {
        scores.push_back(readPair(a, b));
        all.cohorts.push_back(compare(scores.back(), resamples, level, seed));
        all.meanDifference += all.cohorts.back().pooledA - all.cohorts.back().pooledB;
    }
    const auto cohorts = static_cast<double>(pairs.size());
    all.meanDifference /= cohorts;

    // Stratified by cohort: every resample draws each cohort's patients anew.
    std::mt19937_64 rng(seed);
    std::vector<double> means;
    for (int r = 0; r < resamples; ++r) {
        double sum = 0.0;
        for (const auto& p : scores) {
            sum += resampledDifference(p, rng);
        }
        means.push_back(sum / cohorts);
    }
    std::tie(all.difference, all.shareAtMostZero) = summarise(std::move(means), level);
    all.resamples = resamples;
    return all;
}

}  // namespace bmsc::ml
