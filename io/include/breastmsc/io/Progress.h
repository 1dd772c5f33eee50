#pragma once

#include <string_view>

namespace bmsc::io {

/// How long work reports progress and learns that it should stop. No Qt: the GUI adapts it
/// to queued signals, the CLI to a progress bar. Implementations must be thread-safe if the
/// work they observe runs on several threads.
class Progress {
public:
    virtual ~Progress() = default;
    /// `fraction` in [0, 1]; `what` says what is being done now.
    virtual void report(double fraction, std::string_view what) = 0;
    /// Checked between units of work; when true the work throws IoError(Cancelled).
    virtual bool cancelled() const { return false; }
};

/// Reports a sub-range [begin, end) of a parent's progress; forwards cancellation.
class SubProgress final : public Progress {
public:
    SubProgress(Progress* parent, double begin, double end)
        : parent_(parent), begin_(begin), end_(end) {}
    void report(double fraction, std::string_view what) override {
        if (parent_ != nullptr) {
            parent_->report(begin_ + (end_ - begin_) * fraction, what);
        }
    }
    bool cancelled() const override { return parent_ != nullptr && parent_->cancelled(); }

private:
    Progress* parent_;
    double begin_;
    double end_;
};

/// Throws IoError(Cancelled) naming `path` if `progress` asks to stop.
void throwIfCancelled(const Progress* progress, const char* path);

}  // namespace bmsc::io
