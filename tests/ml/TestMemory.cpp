// The CPU block cache: a large tensor freed by one training step gives its block to the next one
// of its size; small tensors, tensors made before the cache, oneDNN's raw buffers and many
// threads at once all keep working. Its own test program, since the cache is process-wide.
#include "breastmsc/ml/Memory.h"

#include <c10/core/CPUAllocator.h>
#include <torch/torch.h>

#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace bmsc::ml;

namespace {

constexpr std::int64_t kFloats = 6 << 20;  // 24 MiB, far over the cache's threshold

}  // namespace

class TestMemory : public QObject {
    Q_OBJECT

    torch::Tensor before_;  ///< made by LibTorch's own allocator, freed under the cache
    torch::Tensor convolutionInput_, convolutionWeight_;
    torch::Tensor convolutionBefore_;  ///< the convolution under LibTorch's own allocator

private Q_SLOTS:
    void initTestCase() {
        before_ = torch::full({kFloats}, 3.0f);
        torch::manual_seed(3);
        convolutionInput_ = torch::randn({2, 8, 64, 64, 16});
        convolutionWeight_ = torch::randn({8, 8, 3, 3, 3});
        convolutionBefore_ = torch::conv3d(convolutionInput_, convolutionWeight_, {}, 1, 1);
        installCpuBlockCache();
        installCpuBlockCache();  // a second call changes nothing
        QVERIFY(cpuBlockCacheStats().installed);
    }

    void aFreedLargeBlockServesTheNextTensorOfItsSize() {
        releaseCpuBlockCache();
        const auto start = cpuBlockCacheStats();
        const void* first = nullptr;
        {
            const auto t = torch::ones({kFloats});
            first = t.data_ptr();
            QCOMPARE(cpuBlockCacheStats().misses, start.misses + 1);
            QVERIFY(cpuBlockCacheStats().liveBytes >= start.liveBytes + kFloats * 4);
        }
        QVERIFY(cpuBlockCacheStats().cachedBytes >= kFloats * 4);
        // A slightly smaller request (within an eighth) takes the same block; its contents are
        // whatever the last tensor left, as with malloc.
        const auto again = torch::full({kFloats - 1000}, 2.0f);
        QCOMPARE(again.data_ptr(), first);
        QCOMPARE(cpuBlockCacheStats().hits, start.hits + 1);
        QCOMPARE(again[kFloats - 1001].item<float>(), 2.0f);
        // One much smaller is mapped fresh rather than holding the big block.
        const auto half = torch::zeros({kFloats / 2});
        QVERIFY(half.data_ptr() != first);
        QCOMPARE(cpuBlockCacheStats().misses, start.misses + 2);
    }

    void smallTensorsStayWithLibTorchsAllocator() {
        const auto start = cpuBlockCacheStats();
        { const auto small = torch::ones({1000}); }
        QCOMPARE(cpuBlockCacheStats().hits + cpuBlockCacheStats().misses,
                 start.hits + start.misses);
        QCOMPARE(cpuBlockCacheStats().cachedBytes, start.cachedBytes);
    }

    void aTensorMadeBeforeTheCacheIsFreedByItsOwnAllocator() {
        const auto start = cpuBlockCacheStats();
        QCOMPARE(before_[kFloats - 1].item<float>(), 3.0f);
        before_ = torch::Tensor();
        QCOMPARE(cpuBlockCacheStats().cachedBytes, start.cachedBytes);
    }

    void rawBlocksGoThroughTheSameCache() {
        // oneDNN's buffers: raw_allocate / raw_deallocate of LibTorch's CPU allocator.
        releaseCpuBlockCache();
        auto* allocator = c10::GetCPUAllocator();
        void* large = allocator->raw_allocate(kFloats * 4);
        void* small = allocator->raw_allocate(256);
        static_cast<float*>(large)[kFloats - 1] = 1.0f;
        static_cast<float*>(small)[63] = 1.0f;
        allocator->raw_deallocate(small);
        allocator->raw_deallocate(large);
        QVERIFY(cpuBlockCacheStats().cachedBytes >= kFloats * 4);
        QCOMPARE(cpuBlockCacheStats().cachedBlocks, std::size_t{1});
    }

    void aConvolutionGivesTheSameValues() {
        // oneDNN through the cache (twice: fresh blocks, then reused ones) against the same
        // convolution before the cache was installed: where memory comes from, never a value.
        const auto first = torch::conv3d(convolutionInput_, convolutionWeight_, {}, 1, 1);
        const auto second = torch::conv3d(convolutionInput_, convolutionWeight_, {}, 1, 1);
        QVERIFY(torch::equal(first, convolutionBefore_));
        QVERIFY(torch::equal(second, convolutionBefore_));
        QVERIFY(cpuBlockCacheStats().hits > 0);
    }

    void theLimitUnmapsTheOldestBlocks() {
        releaseCpuBlockCache();
        { const auto a = torch::ones({kFloats}); }
        { const auto b = torch::ones({kFloats * 2}); }  // freed last
        QCOMPARE(cpuBlockCacheStats().cachedBlocks, std::size_t{2});
        setCpuBlockCacheLimit(kFloats * 4 * 2 + 4096);  // room for the larger only
        QCOMPARE(cpuBlockCacheStats().cachedBlocks, std::size_t{1});
        QVERIFY(cpuBlockCacheStats().cachedBytes >= kFloats * 4 * 2);
        { const auto c = torch::ones({kFloats}); }  // freed: over the limit, the older goes
        QCOMPARE(cpuBlockCacheStats().cachedBlocks, std::size_t{1});
        QVERIFY(cpuBlockCacheStats().cachedBytes < kFloats * 4 * 2);
        setCpuBlockCacheLimit(std::size_t{1} << 34);
        QVERIFY(releaseCpuBlockCache() >= kFloats * 4);
        QCOMPARE(cpuBlockCacheStats().cachedBytes, std::size_t{0});
        QCOMPARE(cpuBlockCacheStats().cachedBlocks, std::size_t{0});
    }

    void manyThreadsShareTheCache() {
        std::atomic<int> wrong{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([t, &wrong] {
                for (int i = 0; i < 40; ++i) {
                    const std::int64_t n = kFloats / 4 + (i % 3) * (kFloats / 8);
                    const auto x = torch::full({n}, static_cast<float>(t * 100 + i));
                    if (x[n - 1].item<float>() != static_cast<float>(t * 100 + i) ||
                        x[0].item<float>() != static_cast<float>(t * 100 + i)) {
                        ++wrong;
                    }
                }
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        QCOMPARE(wrong.load(), 0);
        QCOMPARE(cpuBlockCacheStats().liveBytes, std::size_t{0});
    }
};

QTEST_APPLESS_MAIN(TestMemory)
#include "TestMemory.moc"
