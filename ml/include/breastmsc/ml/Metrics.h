#pragma once

#include <cstdint>
#include <vector>

namespace bmsc::ml {

/// Area under the ROC curve of scores against binary labels (1 = positive), with ties counted
/// half — the same definition as scikit-learn's roc_auc_score. NaN when a class is absent.
double auroc(const std::vector<double>& scores, const std::vector<int>& labels);

/// The ROC curve's points (false-positive rate, true-positive rate), from (0,0) to (1,1),
/// one point per distinct threshold (descending).
struct RocCurve {
    std::vector<double> fpr;
    std::vector<double> tpr;
};
RocCurve rocCurve(const std::vector<double>& scores, const std::vector<int>& labels);

/// TPR of `curve` at each of `fprGrid` by linear interpolation (the upper envelope at vertical
/// steps), as used for averaging ROC curves over folds.
std::vector<double> interpolateTpr(const RocCurve& curve, const std::vector<double>& fprGrid);

/// Threshold metrics at `threshold` on probabilities.
struct BinaryMetrics {
    double auroc = 0.0;
    double accuracy = 0.0;
    double sensitivity = 0.0;  ///< true-positive rate
    double specificity = 0.0;  ///< true-negative rate
    std::int64_t count = 0;
};
BinaryMetrics binaryMetrics(const std::vector<double>& probabilities,
                            const std::vector<int>& labels, double threshold = 0.5);

/// Percentile bootstrap confidence interval of the AUROC (resampling cases with replacement,
/// deterministic for a seed; resamples with one class only are skipped).
struct Interval {
    double low = 0.0;
    double high = 0.0;
};
Interval bootstrapAurocCi(const std::vector<double>& scores, const std::vector<int>& labels,
                          int resamples = 1000, double level = 0.95, std::uint64_t seed = 1);

/// Mean and sample standard deviation (n − 1), as reported over cross-validation folds.
struct MeanStd {
    double mean = 0.0;
    double std = 0.0;
};
MeanStd meanStd(const std::vector<double>& values);

}  // namespace bmsc::ml
