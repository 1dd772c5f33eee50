#include "breastmsc/ml/BatchLoader.h"

#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>

namespace bmsc::ml {

int loaderThreadsFor(int configured, const torch::Device& device) {
    if (!device.is_cpu() || configured <= 0) {
        return std::max(0, configured);
    }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::clamp(cores - at::get_num_threads(), 0, configured);
}

int parallelLoopThreads() {
    std::mutex mutex;
    std::set<int> seen;
    at::parallel_for(0, 4096, 1, [&](std::int64_t, std::int64_t) {
        const std::lock_guard lock(mutex);
        seen.insert(at::get_thread_num());
    });
    return static_cast<int>(seen.size());
}

BatchLoader::BatchLoader(std::size_t count, int batchSize, int threads, MakeItem make, int prefetch)
    : count_(count),
      batchSize_(static_cast<std::size_t>(std::max(1, batchSize))),
      batches_((count + batchSize_ - 1) / batchSize_),
      make_(std::move(make)),
      prefetch_(static_cast<std::size_t>(prefetch > 0 ? prefetch : 2 * std::max(1, threads))) {
    for (int t = 0; t < threads; ++t) {
        workers_.emplace_back([this] { work(); });
    }
}

BatchLoader::~BatchLoader() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    space_.notify_all();
    ready_.notify_all();
    for (auto& w : workers_) {
        w.join();
    }
}

Batch BatchLoader::build(std::size_t batch) const {
    const std::size_t begin = batch * batchSize_;
    const std::size_t end = std::min(count_, begin + batchSize_);
    std::vector<torch::Tensor> inputs;
    std::vector<std::int64_t> targets;
    for (std::size_t i = begin; i < end; ++i) {
        auto [x, y] = make_(i);
        inputs.push_back(std::move(x));
        targets.push_back(y);
    }
    return {torch::stack(inputs), torch::tensor(targets, torch::kInt64)};
}

void BatchLoader::work() {
    torch::NoGradGuard noGrad;
    for (;;) {
        std::size_t batch = 0;
        {
            std::unique_lock lock(mutex_);
            space_.wait(lock, [this] {
                return stop_ || nextToBuild_ >= batches_ || nextToBuild_ < consumed_ + prefetch_;
            });
            if (stop_ || nextToBuild_ >= batches_) {
                return;
            }
            batch = nextToBuild_++;
        }
        try {
            auto b = build(batch);
            std::lock_guard lock(mutex_);
            done_.emplace(batch, std::move(b));
        } catch (...) {
            std::lock_guard lock(mutex_);
            failed_.emplace(batch, std::current_exception());
        }
        ready_.notify_all();
    }
}

std::optional<Batch> BatchLoader::next() {
    if (consumed_ >= batches_) {
        return std::nullopt;
    }
    const auto start = std::chrono::steady_clock::now();
    std::optional<Batch> result;
    if (workers_.empty()) {
        result = build(consumed_);
    } else {
        std::unique_lock lock(mutex_);
        ready_.wait(
            lock, [this] { return done_.count(consumed_) != 0 || failed_.count(consumed_) != 0; });
        const auto f = failed_.find(consumed_);
        if (f != failed_.end()) {
            auto error = f->second;
            failed_.erase(f);
            ++consumed_;
            lock.unlock();
            space_.notify_all();
            std::rethrow_exception(error);
        }
        auto it = done_.find(consumed_);
        result = std::move(it->second);
        done_.erase(it);
    }
    {
        std::lock_guard lock(mutex_);
        ++consumed_;
    }
    space_.notify_all();
    waitSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace bmsc::ml
