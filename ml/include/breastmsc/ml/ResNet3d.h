#pragma once

#include <torch/nn/functional/instancenorm.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <cstdint>

namespace bmsc::ml {

/// The 3D ResNet of the paper (NETWORK.md): widths (w, w, 2w, 4w, 8w) with w = 18, a 7×7×7 stem
/// of stride (2,2,1), two (2,2,1) max-pools, instance norm without affine parameters, leaky ReLU
/// 0.01, Kaiming-uniform (fan-out) initialisation. Input (N, C, X, Y, Z): z, the thin axis, last.
/// How the fresh 2-logit head starts. NETWORK.md initialises every convolution Kaiming-uniform
/// (fan-out); for the 144 → 2 head, fan-out is 2, so the weights reach ±1.2 and the first logits
/// have a standard deviation near 8 — and instance norm fixes the scale of the features, so only
/// the head's own slow Adam steps can shrink them. FanIn (PyTorch's default for linear layers,
/// U(±1/√fan_in)) starts the logits near zero. The backbone keeps Kaiming fan-out either way.
enum class HeadInit { FanIn, KaimingFanOut };

/// The normalisation after every convolution, without affine parameters either way (so that
/// the parameter count is the paper's). Instance norm is the paper's. It normalises each
/// channel of each sample over space, so the level of a C5 map is lost before the average
/// pool: what reaches the head is the shape of each map's value distribution, and for a
/// 64×64×4 patch that is a distribution of four values (2×2×1). Batch norm normalises over the
/// batch and keeps each sample's level (running statistics at evaluation).
enum class NormKind { Instance, Batch };

/// What the network sees of the six channels. Phases: pre, post1–post4, T2 as stored (the
/// paper). Subtractions: pre, post1 − pre, …, post4 − pre, T2 — the images a radiologist reads.
/// Contrast uptake is a small difference between phases (post1 − pre is ~0.02 in breast tissue
/// whose pre-contrast texture varies by ~0.3 after normalisation, and 0.1–0.5 in lesions), which
/// a network trained on a few hundred patches is slow to find on its own. Kinetics: pre, post1 −
/// pre, post2 − pre, post4 − pre, the washout relative to the uptake
/// ((post4 − post1) / (post1 − pre), guarded by kKineticsEpsilon where nothing enhances), T2 — the
/// curve's shape beside its height, so that a lesion in a weakly enhancing breast need not be
/// told from background by its absolute uptake (doc/RESULTS-early-runs.md, run 15). Either is
/// a fixed map of the input inside forward() (linear for Subtractions), no parameters: the
/// count is unchanged, and every caller (training, predict, cam) gets the same transform from
/// the checkpoint's config.
enum class InputKind { Phases, Subtractions, Kinetics };

/// The uptake (post1 − pre, normalised intensity) below which InputKind::Kinetics' relative
/// washout fades to zero: lesions take up 0.1–0.5 on the demo cohorts, background 0.02–0.15.
inline constexpr double kKineticsEpsilon = 0.05;

/// A scale per input channel, applied after the InputKind transform: None, or Channel — each
/// channel divided by its standard deviation over the training breasts (a buffer of the
/// backbone, set by the trainer per fold and kept in every checkpoint). The contrast uptake is
/// a small difference between phases on one intensity scale: on the demo cohorts the
/// subtraction channels' spread is 0.016–0.03 against 0.35 for pre-contrast and T2, so at the
/// usual initialisation the first convolution sees anatomy and hardly any enhancement.
enum class InputScaling { None, Channel };

/// How a whole breast's C5 positions become one pair of logits. Average: the (2,2,1) pool and
/// the adaptive average pool of NETWORK.md (the paper), i.e. the head's logits averaged over the
/// breast. Max: the head on each patch-sized cell of the C5 map, and the logits of the cell
/// whose malignant − benign logit is largest (multiple-instance learning: a breast is malignant
/// when any of its regions is, and one small lesion is not averaged away by the rest of it).
enum class BreastPool { Average, Max };

/// What the head reads beside the C5 features (not in the paper). None: C5 alone. Stem or C2:
/// also the maximum of the stem's (or C2's) feature maps over each cell's region — a window, or
/// the input region of one C5 position — concatenated to C5's channels, so that the logit can
/// follow the strongest local response (a lesion's peak uptake) rather than what the strided
/// convolutions sum to, which grows with the lesion's size (doc/RESULTS-run-43.md: the preset's
/// lesion scores rank benign lesions by size as much as by uptake, though size says nothing of
/// the class). Adds w × classes head weights; the backbone is unchanged.
enum class PeakFeatures { None, Stem, C2 };

struct ResNet3dOptions {
    std::int64_t inputChannels = 6;
    std::int64_t width = 18;                         ///< C2 width; 18 in the paper
    std::array<std::int64_t, 4> blocks{2, 2, 2, 2};  ///< ResNet18; {3, 4, 6, 3} is ResNet34
    std::int64_t classes = 2;
    double leakySlope = 0.01;
    HeadInit headInit = HeadInit::FanIn;
    NormKind norm = NormKind::Instance;
    InputKind input = InputKind::Phases;
    InputScaling inputScaling = InputScaling::None;
    /// Whole breasts only: run the backbone on windows of this size (voxels), each seen as a
    /// Stage 1 patch of the same size (its own zero border, not the breast around it), and
    /// average each window's C5 map to one cell, as the patch head does. {0, 0, 0}: one pass
    /// over the breast (the paper). breastStride is the step between windows: the tile size
    /// (tiles side by side) or half of it (every lesion lies within a quarter patch of some
    /// window's centre, the range Stage 1 patches were cut with). Every window lies inside
    /// the breast (or its margin, breastMargin): (breast + 2·margin − tile) must be a multiple
    /// of the stride.
    std::array<std::int64_t, 3> breastTile{0, 0, 0};
    std::array<std::int64_t, 3> breastStride{0, 0, 0};
    /// Windowed breasts only: zero voxels added on both sides of each axis before the windows
    /// are laid, so that the first window starts at −breastMargin. With half a stride, a lesion
    /// at the breast's edge (next to the chest wall, say) still lies within a quarter patch of
    /// some window's centre, as Stage 1 saw it in a patch cut across the edge with a zero
    /// border; without it such a lesion is only ever seen near a window's side.
    /// (doc/RESULTS-run-41.md: benign breasts scored higher with it, most likely because a zero
    /// border is a lesion cue to models trained so; default 0.) (breast + 2·margin − tile) must
    /// be a multiple of the stride.
    std::array<std::int64_t, 3> breastMargin{0, 0, 0};
    BreastPool breastPool = BreastPool::Average;
    /// BreastPool::Max: the breast's logits are the mean of its k most malignant cells' (1: the
    /// most malignant cell alone). A lesion lies in several overlapping windows, a lone
    /// spurious window in one.
    std::int64_t breastTopCells = 1;
    /// BreastPool::Max on a one-pass breast: how many C5 positions are averaged into one cell.
    /// {2, 2, 1}, the (2,2,1) pool of NETWORK.md, is the C5 map of a 64×64×4 patch; the C5 map
    /// of a 32×32×4 patch (the demo preset's) is {1, 1, 1}, so that each cell sees the region a
    /// Stage 1 patch saw rather than four of them averaged (TrainingConfig "breast_cells").
    std::array<std::int64_t, 3> cellPool{2, 2, 1};
    PeakFeatures peakFeatures = PeakFeatures::None;
    /// The head also reads the kinetic curve at each cell's most enhancing voxel (not in the
    /// paper): the network's input channels (after InputKind and InputScaling) at the voxel of
    /// the cell's region where post1 − pre is highest — the region of interest a radiologist
    /// places on the most enhancing part of a lesion. Meant for small cancers, whose uptake the
    /// stem's kernel and the strided convolutions average with their surroundings; run 46
    /// (doc/RESULTS-run-46.md) measures it. Adds inputChannels × classes head weights.
    bool peakCurve = false;
};

/// Windows of `tile` voxels, `stride` apart, laid along one axis of `size` voxels from
/// −`margin` (ResNet3dOptions::breastTile, breastStride, breastMargin): how many, or 0 when
/// they do not cover the axis and its margins whole.
std::int64_t windowCount(std::int64_t size, std::int64_t tile, std::int64_t stride,
                         std::int64_t margin);

/// Instance or batch normalisation (NormKind), without affine parameters.
class Norm3dImpl : public torch::nn::Module {
public:
    Norm3dImpl(NormKind kind, std::int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::InstanceNorm3d instance_{nullptr};
    torch::nn::BatchNorm3d batch_{nullptr};
};
TORCH_MODULE(Norm3d);

/// A 3D convolution (no bias, dilation 1) of a thin input computed as a 2D one: the Z slices
/// folded into the channels, channels last, the weight laid out as a (O·Zout, C·Z, kx, ky)
/// kernel whose block (o, i) is the z tap that takes input slice i to output slice o (zero out
/// of the kernel's reach). oneDNN's 2D kernels on a 4-slice patch run 2–3× faster than its 3D
/// ones (forward and backward) even though the blocks of zeros are computed too; differentiable
/// through LibTorch's own operations. Same result to float rounding.
torch::Tensor convolveSlab(const torch::Tensor& x, const torch::Tensor& weight,
                           at::IntArrayRef stride, at::IntArrayRef padding);
/// Whether convolveSlab pays (measured, doc/RESULTS.md): fp32 on the CPU without autocast, an
/// input at most 4 slices deep under a kernel deeper than 1, and an output plane times folded
/// input channels (C·Z) of at least 16·16·48 — a paper patch's stem and c2, not a demo patch's
/// (smaller problems gain less than the layout copies cost; deeper inputs, where most blocks
/// are zero, run faster in 3D).
bool slabPays(const torch::Tensor& x, const torch::Tensor& weight, at::IntArrayRef stride,
              at::IntArrayRef padding);

/// `c` applied to `x`: convolveSlab where slabPays; oneDNN directly for dense fp32 inference on the
/// CPU (which LibTorch 1.13 skips for small batch-1 inputs), else the module's own forward; along
/// an axis where `x` is one voxel long, a stride-1 3-tap kernel with padding 1 is cut to its centre
/// tap (the outer taps meet only zero padding). Same weights, same result to float rounding.
torch::Tensor convolve(torch::nn::Conv3d c, const torch::Tensor& x);

/// The stem convolution `c` (no bias) applied to `x`: while training in fp32 on the CPU with an
/// input that needs no gradient, its weight gradient is computed as a forward correlation of
/// the input with the output gradient (1.8–3.2× faster than oneDNN's backward-weights
/// primitive on 6 input channels); otherwise convolve(). Same result to float rounding.
torch::Tensor convolveStem(torch::nn::Conv3d c, const torch::Tensor& x);

/// Two 3×3×3 convolutions with normalisation and leaky ReLU, plus the skip path (a strided
/// 1×1×1 projection without bias when shape or stride change, or when `project` is set).
class BasicBlock3dImpl : public torch::nn::Module {
public:
    BasicBlock3dImpl(std::int64_t in, std::int64_t out, std::int64_t stride, bool project,
                     double slope, NormKind norm = NormKind::Instance);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv3d conv1_{nullptr}, conv2_{nullptr}, projection_{nullptr};
    Norm3d norm1_{nullptr}, norm2_{nullptr}, projectionNorm_{nullptr};
    double slope_;
};
TORCH_MODULE(BasicBlock3d);

/// The backbone, stem to C5: (N, C, X, Y, Z) → (N, 8w, X/32, Y/32, Z/4).
class ResNet3dBackboneImpl : public torch::nn::Module {
public:
    explicit ResNet3dBackboneImpl(const ResNet3dOptions& options = {});
    /// Applies the input transform (InputKind) and scale (InputScaling), then stem … C5.
    torch::Tensor forward(const torch::Tensor& x);
    /// forward(), and in `peak` the map ResNet3dOptions::peakFeatures names (the stem's output
    /// at stride (2,2,1), or C2's at (4,4,1)); left undefined with PeakFeatures::None.
    torch::Tensor forward(const torch::Tensor& x, torch::Tensor& peak);
    /// The InputKind transform alone: what the input scale is measured on.
    static torch::Tensor transformInput(InputKind kind, const torch::Tensor& x);
    /// InputScaling::Channel only: one positive factor per input channel.
    void setInputScale(const torch::Tensor& perChannel);
    torch::Tensor inputScale() const { return inputScale_; }
    std::int64_t outputChannels() const { return 8 * options_.width; }
    /// Channels of the peak map (0 with PeakFeatures::None).
    std::int64_t peakChannels() const {
        return options_.peakFeatures == PeakFeatures::None ? 0 : options_.width;
    }
    /// ResNet3dOptions::peakCurve: for `input` (N, C, X, Y, Z) cut into regions of `region`
    /// voxels (which must divide it), the transformed and scaled input at each region's voxel of
    /// highest post1 − pre: (N, C, X/rx, Y/ry, Z/rz).
    torch::Tensor curveAtPeak(const torch::Tensor& input,
                              const std::array<std::int64_t, 3>& region);
    /// Channels curveAtPeak adds to the head's input (0 without ResNet3dOptions::peakCurve).
    std::int64_t curveChannels() const { return options_.peakCurve ? options_.inputChannels : 0; }
    const ResNet3dOptions& options() const { return options_; }

private:
    torch::Tensor stem(const torch::Tensor& x);

    ResNet3dOptions options_;
    torch::nn::Sequential stem_{nullptr}, c2_{nullptr}, c3_{nullptr}, c4_{nullptr}, c5_{nullptr};
    torch::Tensor inputScale_;  ///< (1, C, 1, 1, 1); undefined with InputScaling::None
};
TORCH_MODULE(ResNet3dBackbone);

/// Which head the classifier carries (NETWORK.md): Stage 1 pools the (2,2,1) map of a
/// 64×64×4 patch; Stage 2 adds an adaptive average pool so that whole breasts fit.
enum class HeadKind { Patch, WholeBreast };

/// Backbone + average pool (kernel and stride (2,2,1)) [+ adaptive average pool to 1×1×1]
/// + a 1×1×1 convolution with bias to `classes` logits.
class BreastClassifierImpl : public torch::nn::Module {
public:
    BreastClassifierImpl(const ResNet3dOptions& options, HeadKind head);
    /// Logits (N, classes).
    torch::Tensor forward(const torch::Tensor& x);
    /// C5 feature maps (N, 8w, X/32, Y/32, Z/4) — the input of class activation maps. For a
    /// whole-breast head with ResNet3dOptions::breastTile set, one cell per window instead:
    /// (N, 8w, nx, ny, nz), window i's centre at tile/2 + i · stride voxels. With
    /// ResNet3dOptions::peakFeatures, w more channels: the peak map's maximum over each C5
    /// position's input region (or each window); with ResNet3dOptions::peakCurve, then the
    /// input's curve at the most enhancing voxel of the same region (curveAtPeak).
    torch::Tensor features(const torch::Tensor& x);
    /// A windowed model's cells on another lattice: windows `windowStride` apart (a denser
    /// lattice for class activation maps; the logits are the model's own lattice's).
    torch::Tensor features(const torch::Tensor& x, const std::array<std::int64_t, 3>& windowStride);
    /// Logits from C5 features (so that CAM and logits come from one forward pass).
    torch::Tensor classify(const torch::Tensor& features);
    /// A whole-breast head with BreastPool::Max: the logits of every cell (N, classes, cells),
    /// cells in (x, y, z) order with z fastest; classify() takes the most malignant of them.
    torch::Tensor cellLogits(const torch::Tensor& features);
    /// The voxels one cell of cellLogits covers on a one-pass breast (not windowed): cellPool
    /// times the backbone's stride (32, 32, 4), from the breast's origin.
    std::array<std::int64_t, 3> cellSize() const;
    /// Replaces the head with a fresh one of `kind` (Stage 1 → Stage 2), keeping the backbone.
    void resetHead(HeadKind kind);
    /// Switches the pooling to `kind` and keeps the head's weights: the Stage 1 lesion head
    /// applied to every C5 position of a whole breast, averaged (TrainingConfig::stage2Head).
    void keepHead(HeadKind kind) { head_ = kind; }

    HeadKind headKind() const { return head_; }
    const ResNet3dOptions& options() const { return options_; }
    /// Whether features() of this model are per-window cells (see breastTile).
    bool windowed() const { return head_ == HeadKind::WholeBreast && options_.breastTile[0] != 0; }
    ResNet3dBackbone backbone() const { return backbone_; }
    torch::nn::Conv3d fc() const { return fc_; }

private:
    ResNet3dOptions options_;
    HeadKind head_;
    ResNet3dBackbone backbone_{nullptr};
    torch::nn::AvgPool3d pool_{nullptr};
    torch::nn::Conv3d fc_{nullptr};
};
TORCH_MODULE(BreastClassifier);

/// Number of trainable parameters of a module.
std::int64_t parameterCount(const torch::nn::Module& module);

}  // namespace bmsc::ml
