#pragma once
// LibTorch's CPU memory: a cache of freed blocks, so that a training step reuses the blocks the
// previous one freed instead of faulting in fresh pages.

#include <cstddef>

namespace bmsc::ml {

/// What the block cache holds and has done since it was installed.
struct CpuBlockCacheStats {
    bool installed = false;
    std::size_t hits = 0;  ///< allocations of kCpuBlockCacheMinBytes or more served from the cache
    std::size_t misses = 0;       ///< ... mapped fresh
    std::size_t cachedBytes = 0;  ///< freed blocks kept for reuse
    std::size_t cachedBlocks = 0;
    std::size_t liveBytes = 0;  ///< the cache's blocks in use
};

/// Makes LibTorch allocate CPU tensors (and oneDNN's buffers, which it allocates through the same
/// allocator) of `kCpuBlockCacheMinBytes` (16 KiB) or more from a cache of freed blocks, the way
/// its CUDA allocator does on a GPU. glibc hands large freed blocks back to the system (it maps
/// every block above its mmap threshold fresh and trims the heap's free top), and a training step
/// allocates and frees the same few hundred blocks every step; on this machine touching a fresh
/// page costs more than the arithmetic on it: a 4×18×64×64×32 3×3×3 convolution took 360 ms
/// forward with fresh blocks and 90 ms with reused ones, a paper breast's training step 15.0 s
/// against 6.2 s, a demo fold's Stage 2 33.5 s against 19.5 s (doc/RESULTS.md). glibc's own
/// settings (M_MMAP_MAX 0, no trim) are as fast but change every allocation of the process and can
/// let the heap grow without bound under LibTorch's 64-byte-aligned allocations
/// (tests/bench/ml/heap_growth_probe.c), so the cache is kept apart from malloc: a request takes
/// the smallest cached block of at least its size and at most ⅛ more, else a fresh mapping; a freed
/// block goes back to the cache, and the blocks freed longest ago are unmapped once the cache holds
/// more than its limit (`setCpuBlockCacheLimit`; by default a quarter of the machine's memory) or
/// when a fresh mapping fails. Smaller allocations go to LibTorch's own allocator as before. Values
/// never change (where memory comes from, not what is computed). Process-wide: for programs (the
/// CLI, the benchmarks) to call once at start-up, before tensors are made (tensors made before it
/// keep their own deleter); a second call does nothing.
void installCpuBlockCache();

/// Below it, LibTorch's allocator (glibc's heap). 256 KiB at first; the demo Stage 1 step's
/// profile then showed blocks of 128–256 KiB (a patch's 221 KB context, zero-filled at 0.25 ms)
/// still mapped fresh each step: at 16 KiB that profiled step went 36.4 → 22.7 ms, at 4 KiB no
/// further (doc/RESULTS.md).
inline constexpr std::size_t kCpuBlockCacheMinBytes = std::size_t{16} << 10;

/// Unmaps every cached block (the blocks in use stay); returns the bytes given back. For a
/// long-lived program (the desktop application) after a training or inference job.
std::size_t releaseCpuBlockCache();

/// The most bytes of freed blocks the cache keeps.
void setCpuBlockCacheLimit(std::size_t bytes);

CpuBlockCacheStats cpuBlockCacheStats();

}  // namespace bmsc::ml
