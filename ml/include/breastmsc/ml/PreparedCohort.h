#pragma once

#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/io/Progress.h"

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bmsc::ml {

/// A lesion centre on its breast's grid (continuous voxel index, x y z).
struct BreastLesion {
    std::array<double, 3> index{0, 0, 0};
    io::Label label = io::Label::Benign;
    double diameterMm = 0.0;  ///< lesions.csv diameter_mm, else 2 × radius_mm, else 0
};

/// One preprocessed breast: its label from cohort.csv, its lesions and its cached tensor.
struct PreparedBreast {
    std::string patientId;
    io::Side side = io::Side::Left;
    io::Label label = io::Label::Unlabelled;
    std::vector<BreastLesion> lesions;
    std::array<std::int64_t, 4> shape{0, 0, 0, 0};  ///< (C, X, Y, Z)
    std::filesystem::path file;                     ///< raw float32, C-order (C, X, Y, Z)
    int target() const noexcept { return label == io::Label::Malignant ? 1 : 0; }
};

/// A cohort preprocessed once into a cache folder: every breast as a (C, X, Y, Z) float tensor
/// in its own file (`<id>_<side>.f32`) plus `index.json` with the lesions already mapped onto
/// the breast grids. The cache is reused while the cohort's content hash (cohort.csv,
/// lesions.csv, the study files' names, sizes and times, the preprocessing options) matches.
/// Tensors are read on demand through a bounded LRU cache, so memory does not grow with the
/// cohort. load() is thread-safe.
class PreparedCohort {
public:
    /// Opens `cohortFolder`, reuses or (re)builds `cacheFolder`. Notes (patients skipped,
    /// lesions outside the crop) are appended to `notes`. Throws io::IoError for an empty
    /// cohort or unreadable studies, naming the file.
    static std::shared_ptr<PreparedCohort> prepare(const std::filesystem::path& cohortFolder,
                                                   const io::PreprocessOptions& options,
                                                   const std::filesystem::path& cacheFolder,
                                                   std::int64_t cacheMegabytes,
                                                   io::Progress* progress = nullptr,
                                                   std::vector<std::string>* notes = nullptr);

    /// The hash that decides whether a cache is still valid (hex, 16 digits).
    static std::string contentHash(const std::filesystem::path& cohortFolder,
                                   const io::PreprocessOptions& options);

    const std::string& hash() const noexcept { return hash_; }
    const std::vector<PreparedBreast>& breasts() const noexcept { return breasts_; }
    /// Patient ids in cohort order.
    std::vector<std::string> patients() const;
    /// Indices into breasts() of the given patients (both breasts of each), in that order.
    std::vector<std::size_t> breastsOf(const std::vector<std::string>& patients) const;
    /// The breast's (C, X, Y, Z) tensor; shares memory with the cache: do not modify it.
    torch::Tensor load(std::size_t breast) const;
    bool reusedCache() const noexcept { return reused_; }
    std::int64_t cachedBytes() const;

private:
    std::string hash_;
    std::vector<PreparedBreast> breasts_;
    std::int64_t cacheBytes_ = 0;
    bool reused_ = false;
    mutable std::mutex mutex_;
    mutable std::list<std::size_t> lru_;  ///< most recent first
    mutable std::map<std::size_t, std::pair<torch::Tensor, std::list<std::size_t>::iterator>>
        cache_;
    mutable std::int64_t bytes_ = 0;
};

}  // namespace bmsc::ml
