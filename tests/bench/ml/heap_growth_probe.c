/* Why ml::installCpuBlockCache does not simply set glibc's malloc to keep large blocks:
 * with M_MMAP_MAX 0 and no trimming, a loop of one 96 MiB posix_memalign(64) + free (what
 * LibTorch's CPU allocator does for a large tensor) grows glibc 2.36's heap by 96 MiB every
 * round here, although the block is free again each time. (Not in every heap state: the same
 * loop in a Python process that had already allocated a lot did not grow.) A probe; not a test.
 *   gcc -O2 tests/bench/ml/heap_growth_probe.c -o /tmp/heap_growth_probe && /tmp/heap_growth_probe
 */
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    const size_t size = (size_t)96 << 20;
    printf("heap MiB after each posix_memalign(64, 96 MiB) + free:");
    for (int round = 0; round < 8; ++round) {
        void* block = NULL;
        if (posix_memalign(&block, 64, size) != 0) {
            return 1;
        }
        ((volatile char*)block)[0] = 1;
        free(block);
        printf(" %zu", mallinfo2().arena >> 20);
    }
    printf("\n");
    return 0;
}
