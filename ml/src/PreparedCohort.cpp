#include "breastmsc/ml/PreparedCohort.h"

#include "breastmsc/io/AtomicFile.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/CamPointing.h"
#include "breastmsc/ml/TensorConversion.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace bmsc::ml {
namespace fs = std::filesystem;
using io::ErrorCode;
using io::IoError;
using nlohmann::json;

namespace {

class Fnv1a {
public:
    void add(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            h_ = (h_ ^ p[i]) * 1099511628211ull;
        }
    }
    void add(const std::string& s) {
        add(s.data(), s.size());
        add("\x1f", 1);
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
        return buf;
    }

private:
    std::uint64_t h_ = 1469598103934665603ull;
};

void hashFileContent(Fnv1a& h, const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    h.add(file.filename().string());
    if (!in) {
        h.add("<absent>");
        return;
    }
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.add(buf.data(), static_cast<std::size_t>(in.gcount()));
    }
}

std::string optionsText(const io::PreprocessOptions& o) {
    std::ostringstream s;
    s.precision(17);
    s << "grid " << o.grid[0] << ' ' << o.grid[1] << ' ' << o.grid[2] << " crop " << o.cropRows
      << " skin " << o.skinMarginMm << " chest " << o.chestWallMarginMm << " heart "
      << o.heartMarginMm << ' ' << o.heartMinVolumeMl << " pct " << o.normalisationPercentile
      << " norm " << o.normalise << " format 1";
    if (o.posteriorWallFraction > 0) {  // only then: earlier caches keep their hash
        s << " wall " << o.posteriorWallFraction;
    }
    return s.str();
}

std::string breastFileName(const std::string& id, io::Side side) {
    return id + "_" + std::string(io::sideName(side)) + ".f32";
}

torch::Tensor readTensorFile(const fs::path& file, const std::array<std::int64_t, 4>& shape) {
    auto t = torch::empty({shape[0], shape[1], shape[2], shape[3]}, torch::kFloat32);
    const auto bytes = static_cast<std::streamsize>(t.numel() * 4);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw IoError(ErrorCode::NotFound, file, "cached breast tensor is missing");
    }
    in.read(reinterpret_cast<char*>(t.data_ptr<float>()), bytes);
    if (in.gcount() != bytes || in.peek() != std::char_traits<char>::eof()) {
        throw IoError(ErrorCode::Corrupt, file, "cached breast tensor has the wrong size");
    }
    return t;
}

json breastJson(const PreparedBreast& b) {
    json lesions = json::array();
    for (const auto& l : b.lesions) {
        lesions.push_back({{"index", l.index},
                           {"label", std::string(io::labelName(l.label))},
                           {"diameter_mm", l.diameterMm}});
    }
    return {{"patient_id", b.patientId},
            {"side", std::string(io::sideName(b.side))},
            {"label", std::string(io::labelName(b.label))},
            {"shape", b.shape},
            {"file", b.file.filename().string()},
            {"lesions", lesions}};
}

PreparedBreast breastFromJson(const json& j, const fs::path& folder) {
    PreparedBreast b;
    b.patientId = j.at("patient_id").get<std::string>();
    b.side = io::sideFromName(j.at("side").get<std::string>()).value();
    b.label = io::labelFromName(j.at("label").get<std::string>()).value();
    b.shape = j.at("shape").get<std::array<std::int64_t, 4>>();
    b.file = folder / j.at("file").get<std::string>();
    for (const auto& l : j.at("lesions")) {
        BreastLesion lesion;
        lesion.index = l.at("index").get<std::array<double, 3>>();
        lesion.label = io::labelFromName(l.at("label").get<std::string>()).value();
        lesion.diameterMm = l.at("diameter_mm").get<double>();
        b.lesions.push_back(lesion);
    }
    return b;
}

}  // namespace

std::string PreparedCohort::contentHash(const fs::path& cohortFolder,
                                        const io::PreprocessOptions& options) {
    Fnv1a h;
    hashFileContent(h, cohortFolder / "cohort.csv");
    hashFileContent(h, cohortFolder / "lesions.csv");
    std::vector<std::string> entries;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(cohortFolder, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto rel = fs::relative(it->path(), cohortFolder).generic_string();
        // The cache may live inside the cohort folder only if a caller insists; never hash it.
        if (!it->is_regular_file() || rel.rfind("cohort.csv", 0) == 0 ||
            rel.rfind("lesions.csv", 0) == 0) {
            continue;
        }
        const auto size = it->file_size();
        const auto time = it->last_write_time().time_since_epoch().count();
        entries.push_back(rel + " " + std::to_string(size) + " " + std::to_string(time));
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) {
        h.add(e);
    }
    h.add(optionsText(options));
    return h.hex();
}

std::shared_ptr<PreparedCohort> PreparedCohort::prepare(
    const fs::path& cohortFolder, const io::PreprocessOptions& options, const fs::path& cacheFolder,
    std::int64_t cacheMegabytes, io::Progress* progress, std::vector<std::string>* notes) {
    auto note = [notes](const std::string& line) {
        if (notes != nullptr) {
            notes->push_back(line);
        }
    };
    const auto cohort = io::Cohort::open(cohortFolder);
    const auto patients = cohort.patients();
    if (patients.empty() || cohort.breasts().empty()) {
        throw IoError(ErrorCode::InvalidValue, cohortFolder / "cohort.csv",
                      "the cohort has no patients");
    }
    auto result = std::make_shared<PreparedCohort>();
    result->cacheBytes_ = cacheMegabytes * 1024 * 1024;
    result->hash_ = contentHash(cohortFolder, options);
    const fs::path indexFile = cacheFolder / "index.json";

    // Reuse the cache when its hash matches and all files are present.
    {
        std::ifstream in(indexFile);
        if (in) {
            try {
                json j;
                in >> j;
                if (j.at("hash").get<std::string>() == result->hash_) {
                    std::vector<PreparedBreast> breasts;
                    bool complete = true;
                    for (const auto& b : j.at("breasts")) {
                        breasts.push_back(breastFromJson(b, cacheFolder));
                        std::error_code ec;
                        const auto& s = breasts.back().shape;
                        complete = complete &&
                                   fs::file_size(breasts.back().file, ec) ==
                                       static_cast<std::uintmax_t>(s[0] * s[1] * s[2] * s[3] * 4);
                    }
                    if (complete) {
                        result->breasts_ = std::move(breasts);
                        result->reused_ = true;
                        for (const auto& n : j.value("notes", std::vector<std::string>{})) {
                            note(n);
                        }
                        note("reusing the preprocessed cohort in " + cacheFolder.string());
                        return result;
                    }
                }
            } catch (const std::exception&) {
                // An unreadable index is rebuilt below.
            }
        }
    }

    std::error_code ec;
    fs::create_directories(cacheFolder, ec);
    if (ec) {
        throw IoError(ErrorCode::WriteFailed, cacheFolder, "cannot create the cache folder");
    }
    std::vector<std::string> newNotes;
    const double n = static_cast<double>(patients.size());
    for (std::size_t p = 0; p < patients.size(); ++p) {
        const auto& id = patients[p];
        io::throwIfCancelled(progress, cohortFolder.string().c_str());
        if (progress != nullptr) {
            progress->report(p / n, "preprocessing " + id);
        }
        io::SubProgress sub(progress, p / n, (p + 1) / n);
        const auto study = cohort.loadStudy(id, {}, &sub);
        const auto pre = io::preprocess(study, options, nullptr);
        const auto lesions = cohort.lesionsOf(id);
        for (const auto side : {io::Side::Left, io::Side::Right}) {
            PreparedBreast b;
            b.patientId = id;
            b.side = side;
            const auto record = cohort.breast(id, side);
            b.label = record ? record->label : io::Label::Unlabelled;
            const auto& image = pre.breast(side);
            const auto tensor = toTensor(std::span<const io::Volume>(image.channels));
            for (int d = 0; d < 4; ++d) {
                b.shape[d] = tensor.size(d);
            }
            for (const auto& l : lesions) {
                if (io::sideOfPoint(pre.transform, l.position) != side) {
                    continue;
                }
                const auto idx = io::pointToBreastIndex(pre.transform, side, l.position);
                bool inside = true;
                for (int d = 0; d < 3; ++d) {
                    const auto r = std::llround(idx[d]);
                    inside = inside && r >= 0 && r < b.shape[d + 1];
                }
                if (!inside) {
                    newNotes.push_back("lesions.csv line " + std::to_string(l.sourceLine) + " (" +
                                       id + ") lies outside the breast crop; ignored");
                    continue;
                }
                BreastLesion lesion;
                lesion.index = idx;
                lesion.label = l.label;
                lesion.diameterMm = 2.0 * lesionRadiusMm(l, 0.0);
                b.lesions.push_back(lesion);
            }
            b.file = cacheFolder / breastFileName(id, side);
            const auto contiguous = tensor.contiguous();
            io::writeFileAtomically(b.file, [&contiguous](std::ostream& out) {
                out.write(reinterpret_cast<const char*>(contiguous.data_ptr<float>()),
                          static_cast<std::streamsize>(contiguous.numel() * 4));
            });
            result->breasts_.push_back(std::move(b));
        }
    }
    json index = {{"hash", result->hash_}, {"notes", newNotes}, {"breasts", json::array()}};
    for (const auto& b : result->breasts_) {
        index["breasts"].push_back(breastJson(b));
    }
    io::writeFileAtomically(indexFile, [&index](std::ostream& out) { out << index.dump(1); });
    for (const auto& line : newNotes) {
        note(line);
    }
    if (progress != nullptr) {
        progress->report(1.0, "preprocessed");
    }
    return result;
}

std::vector<std::string> PreparedCohort::patients() const {
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (const auto& b : breasts_) {
        if (seen.insert(b.patientId).second) {
            ids.push_back(b.patientId);
        }
    }
    return ids;
}

std::vector<std::size_t> PreparedCohort::breastsOf(const std::vector<std::string>& patients) const {
    std::vector<std::size_t> out;
    for (const auto& id : patients) {
        for (std::size_t i = 0; i < breasts_.size(); ++i) {
            if (breasts_[i].patientId == id) {
                out.push_back(i);
            }
        }
    }
    return out;
}

torch::Tensor PreparedCohort::load(std::size_t breast) const {
    {
        std::lock_guard lock(mutex_);
        const auto it = cache_.find(breast);
        if (it != cache_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second.second);
            return it->second.first;
        }
    }
    auto t = readTensorFile(breasts_.at(breast).file, breasts_.at(breast).shape);
    std::lock_guard lock(mutex_);
    if (cache_.find(breast) == cache_.end()) {
        const auto size = t.numel() * 4;
        while (!lru_.empty() && bytes_ + size > cacheBytes_) {
            const auto victim = lru_.back();
            lru_.pop_back();
            bytes_ -= cache_.at(victim).first.numel() * 4;
            cache_.erase(victim);
        }
        if (size <= cacheBytes_) {
            lru_.push_front(breast);
            cache_.emplace(breast, std::make_pair(t, lru_.begin()));
            bytes_ += size;
        }
    }
    return t;
}

std::int64_t PreparedCohort::cachedBytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace bmsc::ml
