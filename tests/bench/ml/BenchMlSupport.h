#pragma once

// Shared pieces of the ML benchmark programs (bench_ml_inference, bench_ml_training,
// bench_ml_augment): command line, timing, the Python reference, .npy export, machine facts.

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bmsc::bench {

using Clock = std::chrono::steady_clock;

/// Options every ML benchmark takes.
struct BenchOptions {
    int threads = 2;  ///< LibTorch intra-op (and inter-op) threads, same for Python
    int repeats = 0;  ///< 0: the program's default
    bool quick = false;
    std::string python = BMSC_BENCH_PYTHON;
    bool keep = false;     ///< keep the scratch folder
    int rounds = 0;        ///< 0: the program's default (programs that alternate C++ and Python)
    std::string only;      ///< run only the cases whose name contains this (empty: all)
    bool profile = false;  ///< profile the C++ side instead of timing it
    /// LibTorch's large CPU blocks come from ml's block cache, as in breastmsc-cli
    /// (ml::installCpuBlockCache); false with --no-block-cache.
    bool blockCache = true;
    /// --python-retains: the Python reference runs with glibc settings that keep freed blocks
    /// (GLIBC_TUNABLES), to see what is left of a ratio once both sides reuse their blocks.
    bool pythonRetainsMemory = false;
    /// --device cpu|cuda|cuda:N (programs that take it: bench_ml_inference): the comparison
    /// on that device; empty without the option.
    std::string device;
};

/// Parses --threads N, --repeats N, --quick, --python PATH, --keep, --no-block-cache,
/// --python-retains, --help (prints `usage` and exits), where `deviceOption` --device NAME and,
/// where `caseOptions`, --rounds N, --only TEXT and --profile. Sets LibTorch's intra-op and
/// inter-op threads (must run before any torch work) and, unless --no-block-cache, installs ml's
/// CPU block cache as the CLI does.
BenchOptions parseOptions(int argc, char** argv, const std::string& usage, bool caseOptions = false,
                          bool deviceOption = false);

double seconds(Clock::time_point since);
/// CPU time of the whole process (all threads) so far, in seconds.
double processCpuSeconds();
double median(std::vector<double> values);

/// A fresh scratch folder under the temporary directory; removed by the destructor unless
/// `keep`.
class ScratchFolder {
public:
    ScratchFolder(const std::string& prefix, bool keep);
    ~ScratchFolder();
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
    bool keep_;
};

/// Writes a float32 tensor as a NumPy .npy file (format 1.0, C order, little endian).
void writeNpy(const std::filesystem::path& file, const torch::Tensor& tensor);
/// Reads raw little-endian float32 values into a tensor of `shape`.
torch::Tensor readRawFloats(const std::filesystem::path& file, at::IntArrayRef shape);

/// The Python reference: interpreter + tests/bench/ml/reference_resnet3d.py.
class PythonReference {
public:
    explicit PythonReference(std::string interpreter);
    /// Whether the interpreter imports torch, numpy and scipy (checked once, with the reason).
    bool available() const noexcept { return available_; }
    const std::string& why() const noexcept { return why_; }
    const std::string& version() const noexcept { return version_; }
    /// Runs the script with `arguments` (already quoted) and `--out <json>`; the parsed JSON,
    /// or nullopt (the reason printed) when it failed.
    std::optional<nlohmann::json> run(const std::string& arguments,
                                      const std::filesystem::path& scratch) const;

private:
    std::string interpreter_;
    bool available_ = false;
    std::string why_;
    std::string version_;
};

std::string shellQuoted(const std::filesystem::path& p);

/// The 1-minute load average from /proc/loadavg ("?" when unreadable), for the printout.
std::string loadAverage();

/// What the CPU can do at most: model, clock, vector width, FMA units.
struct CpuPeak {
    std::string model;
    double ghz = 0;
    int flopsPerCycle = 0;  ///< fp32, per core
    int cores = 0;          ///< cores counted (the benchmark's threads)
    std::string how;        ///< how the figure was derived, for the printout
    double gflops() const { return cores * ghz * flopsPerCycle; }
};
CpuPeak cpuPeak(int cores);

/// Prints the header every ML benchmark shares: machine, threads, load, LibTorch.
void printHeader(const std::string& title, const BenchOptions& options);

}  // namespace bmsc::bench
