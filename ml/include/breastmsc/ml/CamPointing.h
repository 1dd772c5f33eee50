#pragma once
// The CAM pointing score (issue 3 §4): of the malignant breasts that the model classifies
// correctly, the fraction whose class activation map peaks inside a malignant lesion — within
// the lesion's radius of its annotated centre (lesions.csv), in millimetres.

#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Progress.h"
#include "breastmsc/ml/Inference.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace bmsc::ml {

struct PointingLesion {
    io::Vec3 centreMm{0, 0, 0};
    double radiusMm = 0.0;
};

/// Radius of a lesions.csv row: half of its `diameter_mm` column when present and positive,
/// else `radius_mm`, else `fallbackMm`.
double lesionRadiusMm(const io::LesionPoint& lesion, double fallbackMm);

/// One malignant breast: its prediction and where its CAM peaks.
struct PointingCase {
    std::string patientId;
    io::Side side = io::Side::Left;
    std::string model;  ///< which weights ("fold3", "ensemble of 5 folds", "checkpoint")
    double probability = 0.0;
    io::Vec3 maximumMm{0, 0, 0};
    std::vector<PointingLesion> malignantLesions;  ///< of this breast
    // Filled by pointingScore:
    bool correct = false;      ///< probability >= threshold
    bool hit = false;          ///< correct and the maximum lies in a malignant lesion
    double distanceMm = -1.0;  ///< to the nearest malignant lesion's centre; -1 without any
};

struct PointingScore {
    std::int64_t hits = 0;              ///< k
    std::int64_t correct = 0;           ///< n: correctly classified malignant breasts
    std::int64_t malignantBreasts = 0;  ///< all malignant breasts evaluated
    double fraction = 0.0;              ///< k / n; NaN when n = 0
    double threshold = 0.5;
    double marginMm = 0.0;
};

/// Scores the cases in place (correct, hit, distanceMm) and returns k of n. A case is a hit
/// when its maximum lies within radius + `marginMm` of a malignant lesion centre.
PointingScore pointingScore(std::vector<PointingCase>& cases, double threshold = 0.5,
                            double marginMm = 0.0);

struct PointingOptions {
    double threshold = 0.5;
    double defaultRadiusMm = 5.0;  ///< lesions without diameter_mm / radius_mm
    double marginMm = 0.0;
    /// Each patient with the fold that had it in its test set (RUN/folds.json); patients
    /// that loaded weights were trained on are left out. Patients unknown to the run get all
    /// loaded models. Without it, all loaded models for every patient.
    bool outOfFold = true;
};

struct PointingResult {
    PointingScore score;
    std::vector<PointingCase> cases;
    std::vector<std::string> notes;  ///< patients left out and why
    nlohmann::json toJson() const;
};

/// Computes CAMs of every malignant breast of `cohort` and scores them. Throws io::IoError
/// (Cancelled through `progress`, or a study that cannot be read, naming the file).
PointingResult evaluatePointing(InferenceModel& model, const io::Cohort& cohort,
                                const PointingOptions& options = {},
                                io::Progress* progress = nullptr);

}  // namespace bmsc::ml
