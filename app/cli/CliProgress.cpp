#include "CliProgress.h"

#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdio>

namespace bmsc::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int) {
    if (g_interrupted.exchange(true)) {
        std::_Exit(130);
    }
}

}  // namespace

void installInterruptHandler() {
    std::signal(SIGINT, onInterrupt);
}

CliProgress::CliProgress(std::string title, bool quiet)
    : title_(std::move(title)),
      quiet_(quiet),
      terminal_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_) {}

CliProgress::~CliProgress() {
    finish();
}

void CliProgress::report(double fraction, std::string_view what) {
    if (quiet_) {
        return;
    }
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    const int percent = static_cast<int>(fraction * 100.0 + 0.5);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (terminal_) {
        if (percent == lastPercent_ && now - lastDraw_ < std::chrono::milliseconds(200)) {
            return;
        }
        constexpr int kWidth = 30;
        const int filled = std::clamp(percent * kWidth / 100, 0, kWidth);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(kWidth, '.');
        std::fprintf(stderr, "\r%s [%s] %3d%% %5.1fs %-40.40s", title_.c_str(), bar.c_str(),
                     percent, elapsed, std::string(what).c_str());
    } else {
        if (now - lastDraw_ < std::chrono::seconds(5) && percent < 100) {
            return;
        }
        std::fprintf(stderr, "%s: %3d%% %.1fs %s\n", title_.c_str(), percent, elapsed,
                     std::string(what).c_str());
    }
    std::fflush(stderr);
    lastDraw_ = now;
    lastPercent_ = percent;
}

bool CliProgress::cancelled() const {
    return g_interrupted.load();
}

void CliProgress::finish() {
    std::lock_guard lock(mutex_);
    if (!quiet_ && terminal_ && !finished_ && lastPercent_ >= 0) {
        std::fputc('\n', stderr);
    }
    finished_ = true;
}

}  // namespace bmsc::cli
