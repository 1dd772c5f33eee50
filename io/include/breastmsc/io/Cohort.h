#pragma once

#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Geometry.h"
#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"
#include "breastmsc/io/StudyReader.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bmsc::io {

/// The patient's left or right breast.
enum class Side { Left, Right };
enum class Label { Unlabelled, Benign, Malignant };

std::string_view sideName(Side side) noexcept;     ///< "left" / "right"
std::string_view labelName(Label label) noexcept;  ///< "" / "benign" / "malignant"
std::optional<Side> sideFromName(std::string_view text) noexcept;
std::optional<Label> labelFromName(std::string_view text) noexcept;  ///< "" → Unlabelled

/// One row of cohort.csv.
struct BreastRecord {
    std::string patientId;
    Side side = Side::Left;
    Label label = Label::Unlabelled;
    std::map<std::string, std::string> extra;  ///< columns beyond the three required
};

/// One row of lesions.csv: a centre point in LPS mm.
struct LesionPoint {
    std::string patientId;
    Vec3 position{0.0, 0.0, 0.0};
    Label label = Label::Benign;  ///< Benign or Malignant
    std::map<std::string, std::string> extra;
    int sourceLine = 0;  ///< line in lesions.csv (0 if added in memory)
};

/// Valid patient ids: letters, digits, '-', '_', '.'; not "." or "..".
bool isValidPatientId(std::string_view id) noexcept;

/// A cohort folder (COHORT-FORMAT.md): cohort.csv, lesions.csv and one study folder per
/// patient. The CSVs are read eagerly and validated; studies are loaded on demand.
class Cohort {
public:
    /// Opens an existing cohort; lesions.csv may be absent (no lesions). Every row is checked:
    /// MalformedCsv names the file, line and reason.
    static Cohort open(const std::filesystem::path& folder);
    /// A new, empty cohort in `folder` (created if needed; nothing written until save()).
    static Cohort create(const std::filesystem::path& folder);

    const std::filesystem::path& folder() const noexcept { return folder_; }
    const std::vector<BreastRecord>& breasts() const noexcept { return breasts_; }
    const std::vector<LesionPoint>& lesions() const noexcept { return lesions_; }
    std::vector<BreastRecord>& breasts() noexcept { return breasts_; }
    std::vector<LesionPoint>& lesions() noexcept { return lesions_; }

    /// Patient ids in first-appearance order of cohort.csv (then lesions.csv).
    std::vector<std::string> patients() const;
    std::vector<LesionPoint> lesionsOf(const std::string& patientId) const;
    std::optional<BreastRecord> breast(const std::string& patientId, Side side) const;
    std::filesystem::path studyFolder(const std::string& patientId) const;
    /// Loads a patient's study and checks that the patient's lesion points lie inside it
    /// (InvalidValue naming lesions.csv and the line otherwise).
    Study loadStudy(const std::string& patientId, const StudyReadOptions& options = {},
                    Progress* progress = nullptr) const;
    /// The check loadStudy does, for a study already in memory.
    void checkLesionsInside(const std::string& patientId, const Geometry& studyGeometry) const;

    /// Writes cohort.csv and lesions.csv atomically, keeping extra columns.
    void save() const;

    /// Which breast a physical point belongs to: the patient's left is +x in LPS, so a point
    /// on the left half (in physical x) of the study's bounding box is in the left breast.
    static Side sideOfPoint(const Geometry& studyGeometry, const Vec3& point);

private:
    std::filesystem::path folder_;
    std::vector<std::string> cohortExtraColumns_;
    std::vector<std::string> lesionExtraColumns_;
    std::vector<BreastRecord> breasts_;
    std::vector<LesionPoint> lesions_;
};

}  // namespace bmsc::io
