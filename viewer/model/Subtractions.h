#pragma once

#include "breastmsc/io/Study.h"

#include <array>
#include <memory>

namespace bmsc::viewer {

/// The derived images a breast reader looks at besides the six acquired channels: the
/// subtractions postN − pre (N = 1…4) and the maximum intensity projection (MIP) of a
/// subtraction along the slice axis. Computed on first use and cached for the study's lifetime;
/// the study's voxels are never copied. Toolkit-free; use from one thread (the GUI's).
class Subtractions {
public:
    explicit Subtractions(std::shared_ptr<const io::Study> study);

    const io::Study* study() const { return study_.get(); }

    /// post`phase` − pre on the study grid; `phase` 1…4 (IoError InvalidArgument otherwise).
    std::shared_ptr<const io::Volume> subtraction(int phase);
    /// The MIP of subtraction(`phase`) along k: one slice (size k = 1) at the grid's first
    /// slice position, same in-plane grid.
    std::shared_ptr<const io::Volume> mip(int phase);

    /// Whether subtraction(`phase`) / mip(`phase`) has been computed already.
    bool hasSubtraction(int phase) const;
    bool hasMip(int phase) const;

private:
    static std::size_t slot(int phase);

    std::shared_ptr<const io::Study> study_;
    std::array<std::shared_ptr<const io::Volume>, 4> subtractions_;
    std::array<std::shared_ptr<const io::Volume>, 4> mips_;
};

}  // namespace bmsc::viewer
