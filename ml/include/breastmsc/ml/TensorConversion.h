#pragma once

#include "breastmsc/io/Volume.h"

#include <torch/types.h>

#include <span>

namespace bmsc::ml {

/// Stacks volumes on one grid into a float tensor (C, X, Y, Z): z, the thin axis, last, as
/// LibTorch's fast convolution paths need (PLATFORM-NOTES.md). io::Volume stores x fastest,
/// so this is a transposing copy.
torch::Tensor toTensor(std::span<const io::Volume> channels);

/// A (X, Y, Z) tensor back into a volume on `geometry` (sizes must agree).
io::Volume toVolume(const torch::Tensor& xyz, const io::Geometry& geometry);

}  // namespace bmsc::ml
