#include "breastmsc/ml/CamPointing.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bmsc::ml {
using nlohmann::json;

namespace {

double positiveNumber(const std::map<std::string, std::string>& extra, const char* key) {
    const auto it = extra.find(key);
    if (it == extra.end()) {
        return 0.0;
    }
    try {
        const double v = std::stod(it->second);
        return std::isfinite(v) && v > 0.0 ? v : 0.0;
    } catch (const std::exception&) {
        return 0.0;
    }
}

double distance(const io::Vec3& a, const io::Vec3& b) {
    return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                     (a[2] - b[2]) * (a[2] - b[2]));
}

json number(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

}  // namespace

double lesionRadiusMm(const io::LesionPoint& lesion, double fallbackMm) {
    if (const double d = positiveNumber(lesion.extra, "diameter_mm"); d > 0.0) {
        return d / 2.0;
    }
    if (const double r = positiveNumber(lesion.extra, "radius_mm"); r > 0.0) {
        return r;
    }
    return fallbackMm;
}

PointingScore pointingScore(std::vector<PointingCase>& cases, double threshold, double marginMm) {
    PointingScore s;
    s.threshold = threshold;
    s.marginMm = marginMm;
    for (auto& c : cases) {
        ++s.malignantBreasts;
        c.correct = c.probability >= threshold;
        c.hit = false;
        c.distanceMm = -1.0;
        for (const auto& l : c.malignantLesions) {
            const double d = distance(c.maximumMm, l.centreMm);
            if (c.distanceMm < 0.0 || d < c.distanceMm) {
                c.distanceMm = d;
            }
            c.hit = c.hit || d <= l.radiusMm + marginMm;
        }
        c.hit = c.hit && c.correct;
        s.correct += c.correct ? 1 : 0;
        s.hits += c.hit ? 1 : 0;
    }
    s.fraction = s.correct > 0 ? static_cast<double>(s.hits) / static_cast<double>(s.correct)
                               : std::numeric_limits<double>::quiet_NaN();
    return s;
}

json PointingResult::toJson() const {
    json list = json::array();
    for (const auto& c : cases) {
        list.push_back({{"patient_id", c.patientId},
                        {"side", std::string(io::sideName(c.side))},
                        {"model", c.model},
                        {"probability", c.probability},
                        {"correct", c.correct},
                        {"hit", c.hit},
                        {"maximum_mm", c.maximumMm},
                        {"nearest_lesion_mm", c.distanceMm >= 0.0 ? json(c.distanceMm) : json()},
                        {"malignant_lesions", c.malignantLesions.size()}});
    }
    return {{"pointing_score", number(score.fraction)},
            {"hits", score.hits},
            {"correct_malignant_breasts", score.correct},
            {"malignant_breasts", score.malignantBreasts},
            {"threshold", score.threshold},
            {"margin_mm", score.marginMm},
            {"definition",
             "fraction of correctly classified malignant breasts (probability >= threshold) whose "
             "CAM maximum lies within radius + margin of a malignant lesion centre of lesions.csv"},
            {"cases", list},
            {"notes", notes}};
}

PointingResult evaluatePointing(InferenceModel& model, const io::Cohort& cohort,
                                const PointingOptions& options, io::Progress* progress) {
    PointingResult result;
    const auto patients = cohort.patients();
    const double n = static_cast<double>(std::max<std::size_t>(1, patients.size()));
    for (std::size_t p = 0; p < patients.size(); ++p) {
        const auto& id = patients[p];
        io::throwIfCancelled(progress, cohort.folder().string().c_str());
        if (progress != nullptr) {
            progress->report(static_cast<double>(p) / n, "CAM " + id);
        }
        std::vector<io::Side> malignant;
        for (const auto side : {io::Side::Left, io::Side::Right}) {
            const auto record = cohort.breast(id, side);
            if (record && record->label == io::Label::Malignant) {
                malignant.push_back(side);
            }
        }
        if (malignant.empty()) {
            continue;
        }
        const auto choice = model.choose(id, options.outOfFold && model.isRun());
        if (choice.seenInTraining && options.outOfFold) {
            result.notes.push_back(id + ": left out (the loaded weights were trained on it)");
            continue;
        }
        const auto study = cohort.loadStudy(id);
        const auto pre = model.preprocess(study);
        const auto cam = model.cam(pre, choice.model);
        for (const auto side : malignant) {
            const auto& b = cam.breast(side);
            PointingCase c;
            c.patientId = id;
            c.side = side;
            c.model = choice.name;
            c.probability = b.probability;
            c.maximumMm = b.maximumMm;
            for (const auto& l : cohort.lesionsOf(id)) {
                if (l.label == io::Label::Malignant &&
                    io::sideOfPoint(pre.transform, l.position) == side) {
                    c.malignantLesions.push_back(
                        {l.position, lesionRadiusMm(l, options.defaultRadiusMm)});
                }
            }
            if (c.malignantLesions.empty()) {
                result.notes.push_back(id + " " + std::string(io::sideName(side)) +
                                       ": malignant breast without a malignant lesion point; "
                                       "counts as a miss when classified correctly");
            }
            result.cases.push_back(std::move(c));
        }
    }
    result.score = pointingScore(result.cases, options.threshold, options.marginMm);
    if (progress != nullptr) {
        progress->report(1.0, "CAM pointing done");
    }
    return result;
}

}  // namespace bmsc::ml
