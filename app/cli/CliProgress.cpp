#include "CliProgress.h"

#include <sys/ioctl.h>
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdio>

namespace bmsc::cli {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};

// The first SIGINT or SIGTERM asks the work to stop cleanly; a second one ends the process.
extern "C" void onInterrupt(int signal) {
    if (g_interrupted.exchange(true)) {
        std::_Exit(128 + signal);
    }
    g_signal.store(signal);
}

int terminalColumns() {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    return 80;
}

}  // namespace

void installInterruptHandler() {
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

int interruptedExitStatus() {
    const int signal = g_signal.load();
    return 128 + (signal != 0 ? signal : SIGINT);
}

const char* interruptingSignalName() {
    switch (g_signal.load()) {
        case SIGINT:
            return "Ctrl-C (SIGINT)";
        case SIGTERM:
            return "SIGTERM";
        default:
            return nullptr;
    }
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
        // One line that fits the terminal (a wrapped line cannot be redrawn with \r): the bar
        // shrinks to make room for the text, the text is cut at the right edge.
        const int columns = terminalColumns();
        const int fixed = static_cast<int>(title_.size()) + 16;  // " [" "] 100% 1234.5s "
        const int text = static_cast<int>(what.size());
        const int width = std::clamp(columns - 1 - fixed - text, 10, 30);
        const int room = std::max(0, columns - 1 - fixed - width);
        const int filled = std::clamp(percent * width / 100, 0, width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(static_cast<std::size_t>(width), '.');
        std::fprintf(stderr, "\r%s [%s] %3d%% %5.1fs %-*.*s", title_.c_str(), bar.c_str(), percent,
                     elapsed, room, room, std::string(what).c_str());
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

void CliProgress::clearLine() {
    std::lock_guard lock(mutex_);
    if (!quiet_ && terminal_ && !finished_ && lastPercent_ >= 0) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        lastPercent_ = -1;  // redraw at the next report
    }
}

void CliProgress::finish() {
    std::lock_guard lock(mutex_);
    if (!quiet_ && terminal_ && !finished_ && lastPercent_ >= 0) {
        std::fputc('\n', stderr);
    }
    finished_ = true;
}

}  // namespace bmsc::cli
