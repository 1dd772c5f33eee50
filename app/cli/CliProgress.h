#pragma once

#include "breastmsc/io/Progress.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace bmsc::cli {

/// A one-line progress bar on stderr (redrawn in place on a terminal, a line every few
/// seconds otherwise). Ctrl-C (or SIGTERM) sets the cancellation flag so long work stops cleanly.
class CliProgress final : public io::Progress {
public:
    explicit CliProgress(std::string title, bool quiet = false);
    ~CliProgress() override;
    void report(double fraction, std::string_view what) override;
    bool cancelled() const override;
    void finish();
    /// Erases the bar's line on a terminal, so that a line printed next starts at column 0
    /// (the next report draws the bar again).
    void clearLine();

private:
    std::string title_;
    bool quiet_;
    bool terminal_;
    bool finished_ = false;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point lastDraw_;
    int lastPercent_ = -1;
};

/// Installs SIGINT and SIGTERM handlers that request cancellation (a second signal kills), so
/// that Ctrl-C, `kill` or a batch scheduler's time limit stops long work cleanly.
void installInterruptHandler();

/// The exit status of a command stopped by a signal: 128 + the signal's number (130 for Ctrl-C,
/// 143 for SIGTERM), as a shell reports a process the signal killed.
int interruptedExitStatus();

/// The signal that asked the work to stop, as a person names it ("Ctrl-C (SIGINT)", "SIGTERM"),
/// or null when none came.
const char* interruptingSignalName();

}  // namespace bmsc::cli
