#include "BenchMlSupport.h"

#include "breastmsc/ml/Memory.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include <time.h>

namespace bmsc::bench {
namespace fs = std::filesystem;

BenchOptions parseOptions(int argc, char** argv, const std::string& usage, bool caseOptions,
                          bool deviceOption) {
    BenchOptions o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << a << " needs a value\n" << usage;
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--threads") {
            o.threads = std::max(1, std::atoi(value().c_str()));
        } else if (a == "--repeats") {
            o.repeats = std::max(1, std::atoi(value().c_str()));
        } else if (caseOptions && a == "--rounds") {
            o.rounds = std::max(1, std::atoi(value().c_str()));
        } else if (caseOptions && a == "--only") {
            o.only = value();
        } else if (caseOptions && a == "--profile") {
            o.profile = true;
        } else if (deviceOption && a == "--device") {
            o.device = value();
        } else if (a == "--quick") {
            o.quick = true;
        } else if (a == "--python") {
            o.python = value();
        } else if (a == "--keep") {
            o.keep = true;
        } else if (a == "--no-block-cache") {
            o.blockCache = false;
        } else if (a == "--python-retains") {
            o.pythonRetainsMemory = true;
        } else if (a == "-h" || a == "--help") {
            std::cout << usage;
            std::exit(0);
        } else {
            std::cerr << "unknown option " << a << "\n" << usage;
            std::exit(2);
        }
    }
    if (o.blockCache) {
        ml::installCpuBlockCache();
    }
    if (o.pythonRetainsMemory) {
        // Read by the Python reference's glibc at its start (this process read its own already):
        // large blocks from the heap, which is not trimmed, so they are reused too.
        setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647",
               1);
    }
    // Inter-op threads can only be set before the first inter-op work: do it first.
    at::set_num_interop_threads(o.threads);
    torch::set_num_threads(o.threads);
    return o;
}

double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
}

double processCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
    if (v.empty()) {
        return 0.0;
    }
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

ScratchFolder::ScratchFolder(const std::string& prefix, bool keep)
    : path_(fs::temp_directory_path() / (prefix + std::to_string(std::random_device{}()))),
      keep_(keep) {
    fs::create_directories(path_);
}

ScratchFolder::~ScratchFolder() {
    std::error_code ec;
    if (keep_) {
        std::cout << "scratch folder kept: " << path_ << "\n";
    } else {
        fs::remove_all(path_, ec);
    }
}

std::string shellQuoted(const fs::path& p) {
    std::string out(1, '\'');  // built by appends: GCC 12 warns falsely on "'" + string
    out += p.string();
    out += '\'';
    return out;
}

void writeNpy(const fs::path& file, const torch::Tensor& tensor) {
    const auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
    for (const auto s : t.sizes()) {
        header += std::to_string(s) + ", ";
    }
    header += "), }";
    // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    const std::size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(file, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const auto length = static_cast<std::uint16_t>(header.size());
    const char le[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
    out.write(le, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(t.data_ptr<float>()),
              static_cast<std::streamsize>(t.numel() * sizeof(float)));
    if (!out) {
        throw std::runtime_error("could not write " + file.string());
    }
}

torch::Tensor readRawFloats(const fs::path& file, at::IntArrayRef shape) {
    auto t = torch::empty(shape, torch::kFloat32);
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(t.data_ptr<float>()),
            static_cast<std::streamsize>(t.numel() * sizeof(float)));
    if (!in) {
        throw std::runtime_error("could not read " + std::to_string(t.numel()) + " floats from " +
                                 file.string());
    }
    return t;
}

namespace {

/// Runs a shell command, returning its exit status and (trimmed) standard output.
std::pair<int, std::string> capture(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return {-1, out};
    }
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
        out += buffer;
    }
    const int status = pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
        out.pop_back();
    }
    return {status, out};
}

std::string cpuinfoField(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? std::string() : line.substr(colon + 2);
        }
    }
    return {};
}

bool hasFlag(const std::string& flags, const std::string& flag) {
    return (" " + flags + " ").find(" " + flag + " ") != std::string::npos;
}

}  // namespace

PythonReference::PythonReference(std::string interpreter) : interpreter_(std::move(interpreter)) {
    const auto [status, out] = capture(
        shellQuoted(interpreter_) +
        " -c 'import torch, numpy, scipy.ndimage; print(torch.__version__, scipy.__version__)'"
        " 2>&1");
    available_ = status == 0;
    if (available_) {
        version_ = out;
    } else {
        why_ = interpreter_ + " cannot import torch, numpy and scipy" +
               (out.empty() ? std::string() : ": " + out.substr(out.rfind('\n') + 1));
    }
}

std::optional<nlohmann::json> PythonReference::run(const std::string& arguments,
                                                   const fs::path& scratch) const {
    if (!available_) {
        return std::nullopt;
    }
    const fs::path out = scratch / "python_result.json";
    fs::remove(out);
    const std::string command = shellQuoted(interpreter_) + " " +
                                shellQuoted(BMSC_ML_REFERENCE_SCRIPT) + " " + arguments +
                                " --out " + shellQuoted(out);
    if (std::system(command.c_str()) != 0 || !fs::exists(out)) {
        std::cout << "  Python reference failed: " << command << "\n";
        return std::nullopt;
    }
    std::ifstream in(out);
    return nlohmann::json::parse(in);
}

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    if (!(in >> one >> five >> fifteen)) {
        return "?";
    }
    return one + " " + five + " " + fifteen;
}

CpuPeak cpuPeak(int cores) {
    std::ifstream in("/proc/cpuinfo");
    std::stringstream text;
    text << in.rdbuf();
    const std::string info = text.str();
    CpuPeak p;
    p.cores = cores;
    p.model = cpuinfoField(info, "model name");
    p.ghz = std::atof(cpuinfoField(info, "cpu MHz").c_str()) / 1000.0;
    const std::string flags = cpuinfoField(info, "flags");
    const std::string vendor = cpuinfoField(info, "vendor_id");
    const int family = std::atoi(cpuinfoField(info, "cpu family").c_str());
    std::string unit;
    if (hasFlag(flags, "avx512f")) {
        if (vendor == "AuthenticAMD" && family == 25) {
            // Zen 4 executes 512-bit instructions on two 256-bit FMA pipes.
            p.flopsPerCycle = 32;
            unit = "AVX-512 on Zen 4 (2 x 256-bit FMA pipes): 2 x 8 lanes x 2 (FMA)";
        } else {
            p.flopsPerCycle = 64;
            unit =
                "AVX-512 FMA, 2 x 512-bit FMA units assumed (Zen 5 / Xeon Gold+): "
                "2 x 16 lanes x 2 (FMA)";
        }
    } else if (hasFlag(flags, "fma") && hasFlag(flags, "avx2")) {
        p.flopsPerCycle = 32;
        unit = "AVX2 FMA, 2 x 256-bit FMA units: 2 x 8 lanes x 2 (FMA)";
    } else {
        p.flopsPerCycle = 8;
        unit = "SSE, no FMA: 2 x 4 lanes";
    }
    char how[512];
    std::snprintf(how, sizeof how,
                  "%d cores x %.3f GHz (/proc/cpuinfo 'cpu MHz'; turbo not counted) x %d fp32 "
                  "FLOP/cycle [%s; vendor %s, family %d]",
                  cores, p.ghz, p.flopsPerCycle, unit.c_str(), vendor.c_str(), family);
    p.how = how;
    return p;
}

void printHeader(const std::string& title, const BenchOptions& options) {
    std::printf("%s\n", title.c_str());
    std::printf("%s\n", std::string(title.size(), '=').c_str());
    const auto peak = cpuPeak(options.threads);
    std::printf("machine   : %s, %u hardware threads\n", peak.model.c_str(),
                std::thread::hardware_concurrency());
    std::printf("threads   : %d intra-op, %d inter-op (LibTorch %s), Python the same\n",
                at::get_num_threads(), at::get_num_interop_threads(), TORCH_VERSION);
    std::printf("load avg  : %s (from /proc/loadavg at start)\n", loadAverage().c_str());
    std::printf(
        "malloc    : C++ %s; Python %s\n",
        options.blockCache ? "LibTorch's CPU tensors from ml's block cache (as breastmsc-cli)"
                           : "LibTorch's default allocator (--no-block-cache)",
        options.pythonRetainsMemory ? "glibc keeps freed blocks (GLIBC_TUNABLES, --python-retains)"
                                    : "the system's default (as the authors' code runs)");
    std::printf("mode      : %s\n\n", options.quick ? "--quick (small sizes: a smoke run, figures "
                                                      "not comparable with the goals)"
                                                    : "full");
    std::fflush(stdout);
}

}  // namespace bmsc::bench
