#include "breastmsc/ml/RunProgress.h"

#include <algorithm>

namespace bmsc::ml {

namespace {

std::size_t indexOf(int stage) {
    return stage == 2 ? 1 : 0;
}

}  // namespace

void RunProgress::plan(std::array<int, 2> epochs, std::array<double, 2> relativeCost) {
    for (std::size_t s = 0; s < 2; ++s) {
        planned_[s] = std::max(0, epochs[s]);
        prior_[s] = relativeCost[s] > 0.0 ? relativeCost[s] : 1.0;
    }
}

void RunProgress::skip(int stage, int epochs) {
    done_[indexOf(stage)] += std::max(0, epochs);
}

void RunProgress::start(double now) {
    if (!started_) {
        start_ = now;
        started_ = true;
    }
}

void RunProgress::partial(int member, int stage, double within, double elapsed) {
    partial_[member] = {stage, std::clamp(within, 0.0, 1.0), std::max(0.0, elapsed)};
}

void RunProgress::epochDone(int member, int stage, double seconds) {
    const auto s = indexOf(stage);
    done_[s] += 1.0;
    ++timedEpochs_[s];
    timedSeconds_[s] += std::max(0.0, seconds);
    partial_.erase(member);
}

RunProgress::Estimate RunProgress::estimate(double now) {
    // Seconds per epoch of each stage: timed in this process, else the epochs under way
    // extrapolated, else the other stage's scaled by the plan's relative costs.
    std::array<double, 2> perEpoch{-1.0, -1.0};
    std::array<double, 2> running{0.0, 0.0};
    std::array<double, 2> extrapolated{0.0, 0.0};
    std::array<int, 2> extrapolatedCount{0, 0};
    double threadSeconds = timedSeconds_[0] + timedSeconds_[1];
    for (const auto& [member, p] : partial_) {
        const auto s = indexOf(p.stage);
        running[s] += p.within;
        threadSeconds += p.elapsed;
        if (p.within > 0.0) {
            extrapolated[s] += p.elapsed / p.within;
            ++extrapolatedCount[s];
        }
    }
    for (std::size_t s = 0; s < 2; ++s) {
        if (timedEpochs_[s] > 0) {
            perEpoch[s] = timedSeconds_[s] / timedEpochs_[s];
        } else if (extrapolatedCount[s] > 0) {
            perEpoch[s] = extrapolated[s] / extrapolatedCount[s];
        }
    }
    for (std::size_t s = 0; s < 2; ++s) {
        const auto o = 1 - s;
        if (perEpoch[s] < 0.0 && perEpoch[o] >= 0.0) {
            perEpoch[s] = perEpoch[o] * prior_[s] / prior_[o];
        }
    }
    const bool timed = perEpoch[0] >= 0.0 && perEpoch[1] >= 0.0;
    const auto weight = timed ? perEpoch : prior_;

    double total = 0.0, doneWork = 0.0, left = 0.0;
    for (std::size_t s = 0; s < 2; ++s) {
        const double doneEpochs = std::min<double>(planned_[s], done_[s] + running[s]);
        total += planned_[s] * weight[s];
        doneWork += doneEpochs * weight[s];
        left += (planned_[s] - doneEpochs) * weight[s];
    }
    Estimate e;
    shown_ = std::max(shown_, total > 0.0 ? std::clamp(doneWork / total, 0.0, 1.0) : 0.0);
    e.fraction = shown_;
    const double wall = now - start_;
    // No ETA before this process has finished an epoch: a first batch (allocations, caches
    // filling) says little about the rest.
    if (timed && started_ && timedEpochs_[0] + timedEpochs_[1] > 0 && threadSeconds > 0.0 &&
        wall > 0.0) {
        // Wall seconds per second of epoch time: below 1 with members side by side, above 1
        // with work between epochs.
        e.etaSeconds = left * (wall / threadSeconds);
    }
    return e;
}

}  // namespace bmsc::ml
