// Reads a tensor's block after the tensor is freed into ml's CPU block cache. Built and run only
// under AddressSanitizer (the asan preset), where the test passes when ASan reports the read as
// a use after poison: a cached block is poisoned while it waits, so the cache does not hide a use
// after free from the sanitizer. Without the poisoning the read succeeds and the test fails.
#include "breastmsc/ml/Memory.h"

#include <torch/torch.h>

#include <cstdio>

int main(int argc, char**) {
    bmsc::ml::installCpuBlockCache();
    const float* freed = nullptr;
    {
        const auto t = torch::ones({1 << 18});  // 1 MiB: cached when freed
        freed = t.data_ptr<float>();
    }
    const volatile float value = freed[argc];
    std::printf("read %f from a freed block: AddressSanitizer did not report it\n",
                static_cast<double>(value));
    return 0;
}
