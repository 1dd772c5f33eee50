#include "breastmsc/ml/Metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace bmsc::ml {
namespace {

void checkSizes(const std::vector<double>& scores, const std::vector<int>& labels) {
    if (scores.size() != labels.size()) {
        throw std::invalid_argument("scores and labels differ in length");
    }
}

}  // namespace

double auroc(const std::vector<double>& scores, const std::vector<int>& labels) {
    checkSizes(scores, labels);
    // Mann–Whitney U with mid-ranks for ties.
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    double positiveRankSum = 0.0;
    std::int64_t positives = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]]) {
            ++j;
        }
        const double midRank = (static_cast<double>(i) + static_cast<double>(j - 1)) / 2.0 + 1.0;
        for (std::size_t t = i; t < j; ++t) {
            if (labels[order[t]] != 0) {
                positiveRankSum += midRank;
                ++positives;
            }
        }
        i = j;
    }
    const auto negatives = static_cast<std::int64_t>(scores.size()) - positives;
    if (positives == 0 || negatives == 0) {
        return std::nan("");
    }
    const double p = static_cast<double>(positives);
    return (positiveRankSum - p * (p + 1.0) / 2.0) / (p * static_cast<double>(negatives));
}

RocCurve rocCurve(const std::vector<double>& scores, const std::vector<int>& labels) {
    checkSizes(scores, labels);
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    const auto positives =
        std::count_if(labels.begin(), labels.end(), [](int l) { return l != 0; });
    const auto negatives = static_cast<std::int64_t>(labels.size()) - positives;
    RocCurve curve;
    curve.fpr.push_back(0.0);
    curve.tpr.push_back(0.0);
    std::int64_t tp = 0;
    std::int64_t fp = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]]) {
            (labels[order[j]] != 0 ? tp : fp) += 1;
            ++j;
        }
        curve.fpr.push_back(negatives > 0 ? static_cast<double>(fp) / negatives : 0.0);
        curve.tpr.push_back(positives > 0 ? static_cast<double>(tp) / positives : 0.0);
        i = j;
    }
    return curve;
}

std::vector<double> interpolateTpr(const RocCurve& curve, const std::vector<double>& fprGrid) {
    std::vector<double> out;
    out.reserve(fprGrid.size());
    for (const double x : fprGrid) {
        // Last point with fpr <= x (upper envelope at vertical steps), then linear to the next.
        std::size_t k = 0;
        while (k + 1 < curve.fpr.size() && curve.fpr[k + 1] <= x) {
            ++k;
        }
        if (k + 1 >= curve.fpr.size() || curve.fpr[k + 1] == curve.fpr[k]) {
            out.push_back(curve.tpr[k]);
        } else {
            const double t = (x - curve.fpr[k]) / (curve.fpr[k + 1] - curve.fpr[k]);
            out.push_back(curve.tpr[k] + t * (curve.tpr[k + 1] - curve.tpr[k]));
        }
    }
    return out;
}

BinaryMetrics binaryMetrics(const std::vector<double>& probabilities,
                            const std::vector<int>& labels, double threshold) {
    checkSizes(probabilities, labels);
    BinaryMetrics m;
    m.count = static_cast<std::int64_t>(labels.size());
    m.auroc = auroc(probabilities, labels);
    std::int64_t tp = 0, tn = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const bool predicted = probabilities[i] >= threshold;
        const bool actual = labels[i] != 0;
        tp += predicted && actual;
        tn += !predicted && !actual;
        fp += predicted && !actual;
        fn += !predicted && actual;
    }
    const auto ratio = [](std::int64_t a, std::int64_t b) {
        return b == 0 ? std::nan("") : static_cast<double>(a) / static_cast<double>(b);
    };
    m.accuracy = ratio(tp + tn, m.count);
    m.sensitivity = ratio(tp, tp + fn);
    m.specificity = ratio(tn, tn + fp);
    return m;
}

Interval bootstrapAurocCi(const std::vector<double>& scores, const std::vector<int>& labels,
                          int resamples, double level, std::uint64_t seed) {
    checkSizes(scores, labels);
    std::mt19937_64 rng(seed);
    std::vector<double> values;
    std::vector<double> s(scores.size());
    std::vector<int> l(labels.size());
    for (int r = 0; r < resamples; ++r) {
        for (std::size_t i = 0; i < scores.size(); ++i) {
            const auto k = static_cast<std::size_t>(rng() % scores.size());
            s[i] = scores[k];
            l[i] = labels[k];
        }
        const double a = auroc(s, l);
        if (!std::isnan(a)) {
            values.push_back(a);
        }
    }
    if (values.empty()) {
        return {std::nan(""), std::nan("")};
    }
    std::sort(values.begin(), values.end());
    const auto quantile = [&values](double q) {
        const double pos = q * static_cast<double>(values.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const auto hi = std::min(lo + 1, values.size() - 1);
        return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
    };
    const double alpha = (1.0 - level) / 2.0;
    return {quantile(alpha), quantile(1.0 - alpha)};
}

MeanStd meanStd(const std::vector<double>& values) {
    MeanStd r;
    if (values.empty()) {
        return {std::nan(""), std::nan("")};
    }
    r.mean =
        std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    if (values.size() > 1) {
        double ss = 0.0;
        for (const double v : values) {
            ss += (v - r.mean) * (v - r.mean);
        }
        r.std = std::sqrt(ss / static_cast<double>(values.size() - 1));
    }
    return r;
}

}  // namespace bmsc::ml
