#include "breastmsc/ml/Memory.h"

#include "TorchCompat.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// A cached block is poisoned, so that AddressSanitizer still reports a use after free.
#define BMSC_POISON(address, size) ASAN_POISON_MEMORY_REGION(address, size)
#define BMSC_UNPOISON(address, size) ASAN_UNPOISON_MEMORY_REGION(address, size)
#else
#define BMSC_POISON(address, size) ((void)(address), (void)(size))
#define BMSC_UNPOISON(address, size) ((void)(address), (void)(size))
#endif

namespace bmsc::ml {
namespace {

std::size_t pageRounded(std::size_t bytes) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return (bytes + page - 1) / page * page;
}

/// The cache's state, behind one mutex: allocations of its sizes are a few hundred per training
/// step, each a map lookup beside milliseconds of convolution.
class BlockCache {
public:
    BlockCache() {
        const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        limit_ = pages > 0 && page > 0
                     ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) / 4
                     : std::size_t{1} << 30;
    }

    void* allocate(std::size_t bytes) {
        const std::size_t size = pageRounded(bytes);
        {
            std::lock_guard lock(mutex_);
            const auto it = free_.lower_bound(size);
            if (it != free_.end() && it->first <= size + size / 8) {
                void* block = it->second.address;
                live_.emplace(block, it->first);
                stats_.cachedBytes -= it->first;
                stats_.liveBytes += it->first;
                --stats_.cachedBlocks;
                ++stats_.hits;
                BMSC_UNPOISON(block, it->first);
                free_.erase(it);
                return block;
            }
        }
        void* block = map(size);
        if (block == nullptr) {
            release();
            block = map(size);
        }
        TORCH_CHECK(block != nullptr, "breastmsc CPU block cache: not enough memory for ", bytes,
                    " bytes");
        std::lock_guard lock(mutex_);
        live_.emplace(block, size);
        stats_.liveBytes += size;
        ++stats_.misses;
        return block;
    }

    /// Returns the block to the cache; false if it is not one of the cache's blocks.
    bool give(void* block) {
        std::vector<Block> evicted;
        {
            std::lock_guard lock(mutex_);
            const auto it = live_.find(block);
            if (it == live_.end()) {
                return false;
            }
            const std::size_t size = it->second;
            live_.erase(it);
            stats_.liveBytes -= size;
            BMSC_POISON(block, size);
            free_.emplace(size, Free{block, ++clock_});
            stats_.cachedBytes += size;
            ++stats_.cachedBlocks;
            evicted = takeOverLimit();
        }
        for (const auto& f : evicted) {
            unmap(f);
        }
        return true;
    }

    std::size_t release() {
        std::multimap<std::size_t, Free> taken;
        {
            std::lock_guard lock(mutex_);
            taken.swap(free_);
            stats_.cachedBytes = 0;
            stats_.cachedBlocks = 0;
        }
        std::size_t bytes = 0;
        for (const auto& [size, f] : taken) {
            unmap({f.address, size});
            bytes += size;
        }
        return bytes;
    }

    void setLimit(std::size_t bytes) {
        std::vector<Block> evicted;
        {
            std::lock_guard lock(mutex_);
            limit_ = bytes;
            evicted = takeOverLimit();
        }
        for (const auto& f : evicted) {
            unmap(f);
        }
    }

    CpuBlockCacheStats stats() {
        std::lock_guard lock(mutex_);
        return stats_;
    }

    void markInstalled() {
        std::lock_guard lock(mutex_);
        stats_.installed = true;
    }

private:
    struct Free {
        void* address = nullptr;
        std::uint64_t stamp = 0;  ///< when it was freed (a counter)
    };
    struct Block {
        void* address = nullptr;
        std::size_t size = 0;
    };

    static void* map(std::size_t size) {
        void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }

    static void unmap(const Block& block) {
        BMSC_UNPOISON(block.address, block.size);
        munmap(block.address, block.size);
    }

    /// Removes the blocks freed longest ago until the cache is within its limit (mutex held);
    /// the caller unmaps them after unlocking.
    std::vector<Block> takeOverLimit() {
        std::vector<Block> taken;
        while (stats_.cachedBytes > limit_ && !free_.empty()) {
            taken.push_back(takeOldest());
        }
        return taken;
    }

    /// Removes the block freed longest ago: a scan over the cached blocks (hundreds in a training
    /// run), only ever needed above the limit.
    Block takeOldest() {
        auto oldest = free_.begin();
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            if (it->second.stamp < oldest->second.stamp) {
                oldest = it;
            }
        }
        const Block block{oldest->second.address, oldest->first};
        stats_.cachedBytes -= block.size;
        --stats_.cachedBlocks;
        free_.erase(oldest);
        return block;
    }

    std::mutex mutex_;
    std::multimap<std::size_t, Free> free_;        ///< by size
    std::unordered_map<void*, std::size_t> live_;  ///< address → mapped size
    std::size_t limit_ = 0;
    std::uint64_t clock_ = 0;
    CpuBlockCacheStats stats_;
};

BlockCache& cache() {
    static auto* instance = new BlockCache;  // outlives every tensor, static or not
    return *instance;
}

void deleteCached(void* block) {
    cache().give(block);
}

void deleteAny(void* block) {
    if (block != nullptr && !cache().give(block)) {
        c10::free_cpu(block);
    }
}

class CachingCpuAllocator final : public c10::Allocator {
public:
#if BMSC_TORCH_AT_LEAST(2, 3)
    c10::DataPtr allocate(std::size_t bytes) override {
#else
    c10::DataPtr allocate(std::size_t bytes) const override {
#endif
        if (bytes >= kCpuBlockCacheMinBytes) {
            void* block = cache().allocate(bytes);
            return {block, block, &deleteCached, c10::Device(c10::DeviceType::CPU)};
        }
        void* data = c10::alloc_cpu(bytes);
        return {data, data, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
    }

    /// raw_allocate/raw_deallocate (oneDNN's buffers) pass every pointer through one deleter.
    c10::DeleterFnPtr raw_deleter() const override {
        return &deleteAny;
    }

#if BMSC_TORCH_AT_LEAST(2, 3)
    // Pure virtual since 2.3 (Allocator::clone); both blocks are plain host memory.
    void copy_data(void* dest, const void* src, std::size_t count) const override {
        default_copy_data(dest, src, count);
    }
#endif
};

}  // namespace

void installCpuBlockCache() {
    static const bool installed = [] {
        static CachingCpuAllocator allocator;
        // Above the default allocator's priority 0, so that LibTorch's GetCPUAllocator returns it.
        c10::SetCPUAllocator(&allocator, 1);
        cache().markInstalled();
        return true;
    }();
    (void)installed;
}

std::size_t releaseCpuBlockCache() {
    return cache().release();
}

void setCpuBlockCacheLimit(std::size_t bytes) {
    cache().setLimit(bytes);
}

CpuBlockCacheStats cpuBlockCacheStats() {
    return cache().stats();
}

}  // namespace bmsc::ml
