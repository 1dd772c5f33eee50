#pragma once

#include <torch/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace bmsc::ml {

/// The loader threads to use for `configured` on a device: as configured off the CPU; on the
/// CPU no more than the cores LibTorch's intra-op threads leave free (hardware threads less
/// at::get_num_threads()). A loader thread beside intra-op threads on every core stalls each of
/// their parallel regions at its barrier: on 2 cores with 2 intra-op threads one loader thread
/// made a Stage 1 step 15-40 % longer, while making its items inline costs 8 % (bench_ml_training,
/// doc/RESULTS.md). Items do not depend on the thread count.
int loaderThreadsFor(int configured, const torch::Device& device);

/// How many threads this library's own at::parallel_for loops (augmentation, FusedAdam) run
/// on: LibTorch's intra-op thread count, unless the library was built without the OpenMP
/// flag that LibTorch's header-only loop needs (then 1).
int parallelLoopThreads();

/// One mini-batch: inputs (N, C, X, Y, Z) and class targets (N) as int64.
struct Batch {
    torch::Tensor inputs;
    torch::Tensor targets;
};

/// Builds mini-batches of `count` items on worker threads, in order, keeping up to `prefetch`
/// batches ready ahead of the consumer. `make(i)` returns item i (thread-safe, deterministic
/// per i, so results do not depend on scheduling). With `threads` == 0 batches are built on
/// the calling thread. Exceptions thrown by `make` are rethrown by next(). The time next()
/// spends waiting for data is measured.
class BatchLoader {
public:
    using MakeItem = std::function<std::pair<torch::Tensor, int>(std::size_t)>;
    BatchLoader(std::size_t count, int batchSize, int threads, MakeItem make, int prefetch = 0);
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    std::size_t batches() const noexcept { return batches_; }
    /// The next batch, or nullopt after the last.
    std::optional<Batch> next();
    double waitSeconds() const noexcept { return waitSeconds_; }

private:
    Batch build(std::size_t batch) const;
    void work();

    std::size_t count_;
    std::size_t batchSize_;
    std::size_t batches_;
    MakeItem make_;
    std::size_t prefetch_;
    std::size_t consumed_ = 0;
    std::size_t nextToBuild_ = 0;
    bool stop_ = false;
    double waitSeconds_ = 0.0;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable space_;
    std::map<std::size_t, Batch> done_;
    std::map<std::size_t, std::exception_ptr> failed_;
    std::vector<std::thread> workers_;
};

}  // namespace bmsc::ml
