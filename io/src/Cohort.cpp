#include "breastmsc/io/Cohort.h"

#include "breastmsc/io/Error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace bmsc::io {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kCohortColumns{"patient_id", "side", "label"};
const std::vector<std::string> kLesionColumns{"patient_id", "x_mm", "y_mm", "z_mm", "label"};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Column indices of the required columns, and the names of the others (kept on rewrite).
std::vector<std::size_t> requireColumns(const CsvTable& table,
                                        const std::vector<std::string>& names, const fs::path& file,
                                        std::vector<std::string>& extra) {
    std::vector<std::size_t> index;
    for (const auto& name : names) {
        const auto c = table.column(name);
        if (!c) {
            throw IoError(ErrorCode::MalformedCsv, file, "the header has no column '" + name + "'",
                          1);
        }
        index.push_back(*c);
    }
    std::set<std::string> seen;
    for (const auto& name : table.header()) {
        if (!seen.insert(name).second) {
            throw IoError(ErrorCode::MalformedCsv, file, "the column '" + name + "' appears twice",
                          1);
        }
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            extra.push_back(name);
        }
    }
    return index;
}

double parseNumber(const std::string& text, const fs::path& file, int line, const char* what) {
    const std::string t = trim(text);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value)) {
        throw IoError(ErrorCode::MalformedCsv, file,
                      std::string(what) + " '" + text + "' is not a finite number", line);
    }
    return value;
}

std::string formatNumber(double v) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return ec == std::errc() ? std::string(buffer, end) : std::to_string(v);
}

std::map<std::string, std::string> extraFields(const CsvTable& table, std::size_t row,
                                               const std::vector<std::string>& extraColumns) {
    std::map<std::string, std::string> extra;
    for (const auto& name : extraColumns) {
        extra[name] = table.row(row)[*table.column(name)];
    }
    return extra;
}

}  // namespace

std::string_view sideName(Side side) noexcept {
    return side == Side::Left ? "left" : "right";
}

std::string_view labelName(Label label) noexcept {
    switch (label) {
        case Label::Malignant:
            return "malignant";
        case Label::Benign:
            return "benign";
        case Label::Unlabelled:
            return "";
    }
    return "";
}

std::optional<Side> sideFromName(std::string_view text) noexcept {
    const std::string t = lower(trim(std::string(text)));
    if (t == "left" || t == "l") {
        return Side::Left;
    }
    if (t == "right" || t == "r") {
        return Side::Right;
    }
    return std::nullopt;
}

std::optional<Label> labelFromName(std::string_view text) noexcept {
    const std::string t = lower(trim(std::string(text)));
    if (t.empty()) {
        return Label::Unlabelled;
    }
    if (t == "malignant") {
        return Label::Malignant;
    }
    if (t == "benign") {
        return Label::Benign;
    }
    return std::nullopt;
}

bool isValidPatientId(std::string_view id) noexcept {
    if (id.empty() || id == "." || id == ".." || id.size() > 128) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    });
}

Cohort Cohort::open(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw IoError(ErrorCode::NotFound, folder, "not a cohort folder (no such folder)");
    }
    Cohort cohort;
    cohort.folder_ = folder;

    const fs::path cohortFile = folder / "cohort.csv";
    if (!fs::exists(cohortFile, ec)) {
        throw IoError(ErrorCode::NotFound, cohortFile, "a cohort folder needs a cohort.csv");
    }
    const CsvTable breasts = CsvTable::read(cohortFile);
    const auto bc = requireColumns(breasts, kCohortColumns, cohortFile, cohort.cohortExtraColumns_);
    std::set<std::pair<std::string, Side>> seen;
    for (std::size_t r = 0; r < breasts.rowCount(); ++r) {
        const auto& row = breasts.row(r);
        const int line = breasts.lineOf(r);
        BreastRecord record;
        record.patientId = trim(row[bc[0]]);
        if (!isValidPatientId(record.patientId)) {
            throw IoError(
                ErrorCode::MalformedCsv, cohortFile,
                "patient_id '" + row[bc[0]] + "' is not valid (letters, digits, '-', '_', '.')",
                line);
        }
        const auto side = sideFromName(row[bc[1]]);
        if (!side) {
            throw IoError(ErrorCode::MalformedCsv, cohortFile,
                          "side '" + row[bc[1]] + "' is neither 'left' nor 'right'", line);
        }
        record.side = *side;
        const auto label = labelFromName(row[bc[2]]);
        if (!label) {
            throw IoError(ErrorCode::MalformedCsv, cohortFile,
                          "label '" + row[bc[2]] + "' is not 'malignant', 'benign' or empty", line);
        }
        record.label = *label;
        if (!seen.insert({record.patientId, record.side}).second) {
            throw IoError(ErrorCode::MalformedCsv, cohortFile,
                          "the " + std::string(sideName(record.side)) + " breast of '" +
                              record.patientId + "' is listed twice",
                          line);
        }
        record.extra = extraFields(breasts, r, cohort.cohortExtraColumns_);
        cohort.breasts_.push_back(std::move(record));
    }

    const fs::path lesionFile = folder / "lesions.csv";
    if (fs::exists(lesionFile, ec)) {
        const CsvTable lesions = CsvTable::read(lesionFile);
        const auto lc =
            requireColumns(lesions, kLesionColumns, lesionFile, cohort.lesionExtraColumns_);
        for (std::size_t r = 0; r < lesions.rowCount(); ++r) {
            const auto& row = lesions.row(r);
            const int line = lesions.lineOf(r);
            LesionPoint lesion;
            lesion.sourceLine = line;
            lesion.patientId = trim(row[lc[0]]);
            if (!isValidPatientId(lesion.patientId)) {
                throw IoError(ErrorCode::MalformedCsv, lesionFile,
                              "patient_id '" + row[lc[0]] + "' is not valid", line);
            }
            lesion.position = {parseNumber(row[lc[1]], lesionFile, line, "x_mm"),
                               parseNumber(row[lc[2]], lesionFile, line, "y_mm"),
                               parseNumber(row[lc[3]], lesionFile, line, "z_mm")};
            const auto label = labelFromName(row[lc[4]]);
            if (!label || *label == Label::Unlabelled) {
                throw IoError(ErrorCode::MalformedCsv, lesionFile,
                              "lesion label '" + row[lc[4]] + "' is not 'malignant' or 'benign'",
                              line);
            }
            lesion.label = *label;
            lesion.extra = extraFields(lesions, r, cohort.lesionExtraColumns_);
            cohort.lesions_.push_back(std::move(lesion));
        }
    }
    return cohort;
}

Cohort Cohort::create(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (!fs::is_directory(folder, ec)) {
        throw IoError(ErrorCode::WriteFailed, folder, "cannot create the cohort folder");
    }
    Cohort cohort;
    cohort.folder_ = folder;
    return cohort;
}

std::vector<std::string> Cohort::patients() const {
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (const auto& b : breasts_) {
        if (seen.insert(b.patientId).second) {
            ids.push_back(b.patientId);
        }
    }
    for (const auto& l : lesions_) {
        if (seen.insert(l.patientId).second) {
            ids.push_back(l.patientId);
        }
    }
    return ids;
}

std::vector<LesionPoint> Cohort::lesionsOf(const std::string& patientId) const {
    std::vector<LesionPoint> out;
    std::copy_if(lesions_.begin(), lesions_.end(), std::back_inserter(out),
                 [&](const LesionPoint& l) { return l.patientId == patientId; });
    return out;
}

std::optional<BreastRecord> Cohort::breast(const std::string& patientId, Side side) const {
    for (const auto& b : breasts_) {
        if (b.patientId == patientId && b.side == side) {
            return b;
        }
    }
    return std::nullopt;
}

fs::path Cohort::studyFolder(const std::string& patientId) const {
    if (!isValidPatientId(patientId)) {
        throw IoError(ErrorCode::InvalidArgument, folder_,
                      "invalid patient id '" + patientId + "'");
    }
    return folder_ / patientId;
}

Study Cohort::loadStudy(const std::string& patientId, const StudyReadOptions& options,
                        Progress* progress) const {
    Study study = readStudy(studyFolder(patientId), options, progress);
    if (study.metadata.patientId.empty()) {
        study.metadata.patientId = patientId;
    }
    checkLesionsInside(patientId, study.geometry());
    return study;
}

void Cohort::checkLesionsInside(const std::string& patientId, const Geometry& geometry) const {
    for (const auto& lesion : lesions_) {
        if (lesion.patientId != patientId) {
            continue;
        }
        const Vec3 c = geometry.physicalToIndex(lesion.position);
        for (int a = 0; a < 3; ++a) {
            if (c[a] < -0.5 || c[a] > static_cast<double>(geometry.size[a]) - 0.5) {
                throw IoError(
                    ErrorCode::InvalidValue, folder_ / "lesions.csv",
                    "the lesion of '" + patientId + "' at (" + formatNumber(lesion.position[0]) +
                        ", " + formatNumber(lesion.position[1]) + ", " +
                        formatNumber(lesion.position[2]) + ") mm lies outside the study's image",
                    lesion.sourceLine);
            }
        }
    }
}

void Cohort::save() const {
    std::vector<std::string> header = kCohortColumns;
    header.insert(header.end(), cohortExtraColumns_.begin(), cohortExtraColumns_.end());
    std::set<std::string> extraNames(cohortExtraColumns_.begin(), cohortExtraColumns_.end());
    for (const auto& b : breasts_) {
        for (const auto& [k, v] : b.extra) {
            if (extraNames.insert(k).second) {
                header.push_back(k);
            }
        }
    }
    CsvTable breasts(header);
    for (const auto& b : breasts_) {
        std::vector<std::string> row{b.patientId, std::string(sideName(b.side)),
                                     std::string(labelName(b.label))};
        for (std::size_t c = kCohortColumns.size(); c < header.size(); ++c) {
            const auto it = b.extra.find(header[c]);
            row.push_back(it == b.extra.end() ? std::string() : it->second);
        }
        breasts.addRow(std::move(row));
    }

    std::vector<std::string> lheader = kLesionColumns;
    lheader.insert(lheader.end(), lesionExtraColumns_.begin(), lesionExtraColumns_.end());
    std::set<std::string> lextraNames(lesionExtraColumns_.begin(), lesionExtraColumns_.end());
    for (const auto& l : lesions_) {
        for (const auto& [k, v] : l.extra) {
            if (lextraNames.insert(k).second) {
                lheader.push_back(k);
            }
        }
    }
    CsvTable lesions(lheader);
    for (const auto& l : lesions_) {
        std::vector<std::string> row{l.patientId, formatNumber(l.position[0]),
                                     formatNumber(l.position[1]), formatNumber(l.position[2]),
                                     std::string(labelName(l.label))};
        for (std::size_t c = kLesionColumns.size(); c < lheader.size(); ++c) {
            const auto it = l.extra.find(lheader[c]);
            row.push_back(it == l.extra.end() ? std::string() : it->second);
        }
        lesions.addRow(std::move(row));
    }
    breasts.write(folder_ / "cohort.csv");
    lesions.write(folder_ / "lesions.csv");
}

Side Cohort::sideOfPoint(const Geometry& g, const Vec3& point) {
    // Physical centre of the grid; the patient's left is +x in LPS.
    const Vec3 centre = g.indexToPhysical({(static_cast<double>(g.size[0]) - 1.0) / 2.0,
                                           (static_cast<double>(g.size[1]) - 1.0) / 2.0,
                                           (static_cast<double>(g.size[2]) - 1.0) / 2.0});
    return point[0] >= centre[0] ? Side::Left : Side::Right;
}

}  // namespace bmsc::io
