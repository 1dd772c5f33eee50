#pragma once
// Private: runs independent per-file work (header parsing, pixel decoding) on a few threads.

#include "breastmsc/io/Error.h"
#include "breastmsc/io/Progress.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bmsc::io::detail {

/// Calls `work(i)` for i in [0, count) on up to 8 threads. Progress is reported (serialised)
/// after each item; cancellation is checked before each. The first exception stops the other
/// workers and is rethrown here; a cancellation becomes IoError(Cancelled) naming `where`.
template <typename Work>
void parallelFor(std::size_t count, Work work, Progress* progress,
                 const std::filesystem::path& where, const std::string& what) {
    if (count == 0) {
        return;
    }
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads = std::min<std::size_t>({count, hardware, 8});
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;  // guarded by `mutex`
    std::atomic<bool> stop{false};
    std::atomic<bool> cancelled{false};
    std::exception_ptr failure;
    std::mutex mutex;  // guards `failure` and serialises progress reports

    auto worker = [&] {
        for (;;) {
            if (stop.load()) {
                return;
            }
            if (progress != nullptr && progress->cancelled()) {
                cancelled = true;
                stop = true;
                return;
            }
            const std::size_t i = next.fetch_add(1);
            if (i >= count) {
                return;
            }
            try {
                work(i);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) {
                    failure = std::current_exception();
                }
                stop = true;
                return;
            }
            if (progress != nullptr) {
                std::lock_guard lock(mutex);  // counted under the lock: fractions only grow
                ++done;
                progress->report(static_cast<double>(done) / static_cast<double>(count), what);
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        pool.reserve(threads - 1);
        for (std::size_t t = 1; t < threads; ++t) {
            pool.emplace_back(worker);
        }
        worker();
    }  // joins
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (cancelled) {
        throw IoError(ErrorCode::Cancelled, where, "cancelled by the user");
    }
}

}  // namespace bmsc::io::detail
