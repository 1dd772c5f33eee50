#pragma once

#include "breastmsc/io/Progress.h"
#include "breastmsc/io/Study.h"

#include <array>
#include <memory>
#include <string_view>

namespace bmsc::viewer {

/// Breast DCE-MRI kinetics in the standard terms of the breast MRI lexicon (ACR BI-RADS,
/// Kuhl et al. 1999). Toolkit-free: no Qt, no VTK; the GUI calls it from any thread.
///
/// Conventions, used everywhere in this file and by the kinetic map:
/// - Relative enhancement of phase t: (S_t − S_pre) / S_pre · 100 %.
/// - Initial phase: the relative enhancement of the FIRST post-contrast phase (post1):
///   slow < 50 %, medium 50–100 % (both bounds included), fast > 100 %.
/// - Delayed phase: the signal change from the early post phase (post1, the same phase as the
///   initial phase) to the last dynamic phase (post4), relative to the early signal:
///   (S_post4 − S_post1) / S_post1 · 100 %: persistent > +10 %, plateau −10 %…+10 % (both
///   bounds included), washout < −10 %. (Signal-based, as clinical CAD reports it; the
///   synthetic phantom's `curve` column divides by the early enhancement instead, so a few of
///   its plateau/persistent labels read as plateau here.)
enum class InitialPhase { Slow, Medium, Fast };
enum class DelayedPhase { Persistent, Plateau, Washout };

inline constexpr double kSlowBelowPercent = 50.0;
inline constexpr double kFastAbovePercent = 100.0;
inline constexpr double kPlateauBandPercent = 10.0;

InitialPhase classifyInitial(double enhancementPercent) noexcept;
DelayedPhase classifyDelayed(double changePercent) noexcept;
std::string_view initialPhaseName(InitialPhase phase) noexcept;  ///< "slow", "medium", "fast"
std::string_view delayedPhaseName(DelayedPhase phase) noexcept;  ///< "persistent", …

/// Values of a kinetic map (the categories of ColorMap::Kinetic).
inline constexpr float kMapNone = 0.0f;  ///< below threshold, background or no baseline
inline constexpr float kMapPersistent = 1.0f;
inline constexpr float kMapPlateau = 2.0f;
inline constexpr float kMapWashout = 3.0f;
float kineticMapValue(DelayedPhase phase) noexcept;
/// The colour of a delayed-phase class (RGB 0…1), as SliceRenderer's Kinetic table draws it.
std::array<double, 3> kineticColor(DelayedPhase phase) noexcept;

/// Half-sizes of the neighbourhood a curve averages: 1, 1, 0 is 3×3×1 (in-plane, as read on
/// axial slices). Clipped at the grid's edges (the mean is over the voxels inside).
struct Neighbourhood {
    int radiusI = 1;
    int radiusJ = 1;
    int radiusK = 0;
};

/// The time–intensity curve at one voxel.
struct KineticCurve {
    enum class Status {
        Ok,
        NoBaseline,  ///< mean pre signal ≈ 0 or at/below the noise floor: no relative enhancement
        NoData,      ///< voxel outside the grid, or the study lacks a dynamic phase
    };
    Status status = Status::NoData;
    io::Index3 voxel{0, 0, 0};
    int voxelCount = 0;  ///< voxels averaged (fewer at the edges)
    /// Mean signal of pre, post1 … post4 over the neighbourhood.
    std::array<double, io::kDynamicChannelCount> signal{};
    /// Relative enhancement in % (0 for pre); all 0 unless status is Ok.
    std::array<double, io::kDynamicChannelCount> enhancement{};
    /// Seconds after the pre-contrast phase when the study has acquisition times (all finite
    /// and increasing), else the phase numbers 0 … 4.
    std::array<double, io::kDynamicChannelCount> time{0, 1, 2, 3, 4};
    bool timeInSeconds = false;
    double initialEnhancement = 0.0;  ///< % at post1
    double delayedChange = 0.0;       ///< % signal change post1 → post4, relative to post1
    InitialPhase initial = InitialPhase::Slow;
    DelayedPhase delayed = DelayedPhase::Plateau;

    bool ok() const noexcept { return status == Status::Ok; }
};

/// Whether the study has pre and post1 … post4 (what kinetics need; T2 is not used).
bool hasDynamicPhases(const io::Study& study) noexcept;

/// Whether metadata.phaseTimes are all finite and increasing (then curves are in seconds, else
/// in phase numbers).
bool phaseTimesUsable(const io::StudyMetadata& metadata) noexcept;

/// The curve at `voxel`: neighbourhood means of the five dynamic phases, relative enhancement
/// and classification. A mean pre signal ≤ max(`noiseFloor`, tiny) gives NoBaseline (the
/// signals are still filled in), a voxel outside the grid NoData.
KineticCurve kineticCurve(const io::Study& study, const io::Index3& voxel,
                          const Neighbourhood& neighbourhood = {}, double noiseFloor = 0.0);

/// A pre signal at or below which a voxel is background (air, lungs): 10 % of the 98th
/// percentile of pre (estimated from a regular sample of ~200,000 voxels), which lies well
/// above the noise of air and below fat, fibroglandular tissue and lesions. 0 without pre.
double defaultNoiseFloor(const io::Study& study);

struct KineticMapOptions {
    /// Initial enhancement (post1, %) a voxel needs to be classified: ≥ this.
    double thresholdPercent = 50.0;
    /// Voxels whose neighbourhood-mean pre signal is at or below this are left out.
    double noiseFloor = 0.0;
    /// The same neighbourhood as the curve's, so that the map's colour under the cursor is the
    /// class the kinetic panel reports there.
    Neighbourhood neighbourhood{};
};

/// The whole-volume kinetic map on the study grid: kMapPersistent/kMapPlateau/kMapWashout for
/// voxels whose initial enhancement passes the threshold and whose pre signal is above the
/// noise floor, kMapNone elsewhere. Reports progress per slice and throws IoError(Cancelled)
/// (naming the study's source) when `progress` asks to stop; IoError(InvalidArgument) when the
/// study lacks a dynamic phase. Thread-safe for a study nobody modifies meanwhile.
std::shared_ptr<io::Volume> kineticMap(const io::Study& study, const KineticMapOptions& options,
                                       io::Progress* progress = nullptr);

}  // namespace bmsc::viewer
