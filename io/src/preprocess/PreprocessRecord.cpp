// preprocess.json: the transform of one study (format "breastmsc-preprocess", version 1).
#include "breastmsc/io/PreprocessRecord.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace bmsc::io {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "breastmsc-preprocess";
constexpr int kVersion = 1;

json toJson(const Geometry& g) {
    return json{
        {"size", g.size}, {"spacing", g.spacing}, {"origin", g.origin}, {"direction", g.direction}};
}

Geometry geometryFrom(const json& j) {
    Geometry g;
    g.size = j.at("size").get<Index3>();
    g.spacing = j.at("spacing").get<Vec3>();
    g.origin = j.at("origin").get<Vec3>();
    g.direction = j.at("direction").get<Mat3>();
    return g;
}

}  // namespace

std::string preprocessRecordJson(const PreprocessTransform& t,
                                 const std::vector<std::string>& report) {
    const CropPlacement& p = t.placement;
    const IntensityNormalisation& n = t.normalisation;
    json j{{"format", kFormat},
           {"version", kVersion},
           {"study", toJson(t.study)},
           {"canonical", toJson(t.canonical)},
           {"crop", {{"first_row", t.cropFirstRow}, {"rows", t.cropRows}}},
           {"placement",
            {{"anterior_row", p.anteriorRow},
             {"chest_wall_row", p.chestWallRow},
             {"heart_row", p.heartRow},
             {"midline_x_mm", p.midlineXmm},
             {"breasts_deeper_than_crop", p.breastsDeeperThanCrop}}},
           {"split_x_mm", t.splitXmm()},
           {"normalisation",
            {{"applied", n.applied},
             {"formula", "normalised = (raw - offset) / scale"},
             {"dynamic_offset", n.dynamicOffset},
             {"dynamic_scale", n.dynamicScale},
             {"t2_offset", n.t2Offset},
             {"t2_scale", n.t2Scale},
             {"percentile", n.percentile}}},
           {"breasts",
            {{"left", toJson(t.breastGeometry(Side::Left))},
             {"right", toJson(t.breastGeometry(Side::Right))}}},
           {"report", report}};
    return j.dump(2) + "\n";
}

void writePreprocessRecord(const PreprocessTransform& transform,
                           const std::vector<std::string>& report,
                           const std::filesystem::path& file) {
    const std::string text = preprocessRecordJson(transform, report);
    writeFileAtomically(file, [&](std::ostream& out) { out << text; });
}

PreprocessTransform readPreprocessRecord(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::error_code ec;
        throw IoError(
            std::filesystem::exists(file, ec) ? ErrorCode::NotReadable : ErrorCode::NotFound, file,
            "cannot open the preprocessing record");
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        const json j = json::parse(buffer.str());
        if (j.at("format").get<std::string>() != kFormat) {
            throw IoError(ErrorCode::Corrupt, file, "not a BreastMSC preprocessing record");
        }
        if (j.at("version").get<int>() != kVersion) {
            throw IoError(ErrorCode::Unsupported, file,
                          "preprocessing record version " +
                              std::to_string(j.at("version").get<int>()) + " is not supported");
        }
        PreprocessTransform t;
        t.study = geometryFrom(j.at("study"));
        t.canonical = geometryFrom(j.at("canonical"));
        t.cropFirstRow = j.at("crop").at("first_row").get<std::int64_t>();
        t.cropRows = j.at("crop").at("rows").get<std::int64_t>();
        const json& p = j.at("placement");
        t.placement.firstRow = t.cropFirstRow;
        t.placement.anteriorRow = p.at("anterior_row").get<std::int64_t>();
        t.placement.chestWallRow = p.at("chest_wall_row").get<std::int64_t>();
        t.placement.heartRow = p.at("heart_row").get<std::int64_t>();
        t.placement.midlineXmm = p.at("midline_x_mm").get<double>();
        t.placement.breastsDeeperThanCrop = p.at("breasts_deeper_than_crop").get<bool>();
        const json& n = j.at("normalisation");
        t.normalisation.applied = n.at("applied").get<bool>();
        t.normalisation.dynamicOffset = n.at("dynamic_offset").get<double>();
        t.normalisation.dynamicScale = n.at("dynamic_scale").get<double>();
        t.normalisation.t2Offset = n.at("t2_offset").get<double>();
        t.normalisation.t2Scale = n.at("t2_scale").get<double>();
        t.normalisation.percentile = n.at("percentile").get<double>();
        if (t.canonical.size[0] % 2 != 0 || t.cropRows < 1 || t.cropFirstRow < 0 ||
            t.cropFirstRow + t.cropRows > t.canonical.size[1] ||
            (t.normalisation.applied &&
             (!(t.normalisation.dynamicScale > 0.0) || !(t.normalisation.t2Scale > 0.0)))) {
            throw IoError(ErrorCode::Corrupt, file, "inconsistent crop or normalisation values");
        }
        return t;
    } catch (const json::exception& e) {
        throw IoError(ErrorCode::Corrupt, file, std::string("malformed JSON: ") + e.what());
    }
}

}  // namespace bmsc::io
