#pragma once
// A Progress that asks to stop after a given number of reports: cancellation at a chosen point.

#include "breastmsc/io/Progress.h"

namespace bmsc::test {

class CancelAfter final : public io::Progress {
public:
    explicit CancelAfter(int reports) : left_(reports) {}
    void report(double, std::string_view) override { --left_; }
    bool cancelled() const override { return left_ <= 0; }

private:
    int left_;
};

}  // namespace bmsc::test
