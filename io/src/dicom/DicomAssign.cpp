#include "DicomAssign.h"

#include "DicomVolume.h"

#include "breastmsc/io/Error.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <sstream>
#include <tuple>

namespace bmsc::io::detail {
namespace fs = std::filesystem;

// The assignment rule, as documented at the top of breastmsc/io/Dicom.h:
//  1. ignore non-MR, localizer and subtraction series;
//  2. T2 = description with the word "t2"/"tse"/"stir" (at a token start, so "post2" is not
//     one), else EchoTime > 50 ms (ties: most frames, lowest SeriesNumber);
//  3. dynamic = the series with most temporal positions (one phase each), or else the
//     single-phase series (the most common grid when more than five), ordered by
//     AcquisitionTime, else TriggerTime, else SeriesNumber; first five: pre, post1 … post4;
//  4. StudyReadOptions override 2 and 3.
namespace {

constexpr double kT2EchoTimeMs = 50.0;
constexpr double kHalfDayS = 43200.0;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains(const std::string& haystack, const char* needle) {
    return haystack.find(needle) != std::string::npos;
}

/// `word` at the start of a token: not preceded by a letter or digit ("t2_tse", "ax T2W",
/// "STIR" yes; "post2" no).
bool hasWord(const std::string& text, const std::string& word) {
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        if (at == 0 || std::isalnum(static_cast<unsigned char>(text[at - 1])) == 0) {
            return true;
        }
    }
    return false;
}

std::string seriesName(const DicomSeries& s) {
    return "series " + (s.number.empty() ? std::string("?") : s.number) + " '" + s.description +
           "' (" + s.uid + ")";
}

/// Why a series is not an image of the study, or nothing.
std::optional<std::string> ignoredBecause(const DicomSeries& s) {
    const std::string type = lower(s.slices.front().imageType);
    const std::string description = lower(s.description);
    if (!s.modality.empty() && s.modality != "MR") {
        return "ignored: modality " + s.modality;
    }
    if (contains(type, "localizer")) {
        return std::string("ignored: localizer (ImageType)");
    }
    if (contains(type, "subtract")) {
        return std::string("ignored: subtraction (ImageType)");
    }
    for (const char* word : {"localizer", "scout", "survey"}) {
        if (hasWord(description, word)) {
            return std::string("ignored: localizer (description)");
        }
    }
    if (hasWord(description, "sub")) {
        return std::string("ignored: subtraction (description)");
    }
    return std::nullopt;
}

/// 2: named T2 by description, 1: by EchoTime, 0: not a T2 candidate.
int t2Evidence(const DicomSeries& s) {
    const std::string description = lower(s.description);
    if (hasWord(description, "t2") || hasWord(description, "tse") || hasWord(description, "stir")) {
        return 2;
    }
    const double te = s.slices.front().echoTimeMs;
    return std::isfinite(te) && te > kT2EchoTimeMs ? 1 : 0;
}

long numberOf(const DicomSeries& s) {
    char* end = nullptr;
    const long v = std::strtol(s.number.c_str(), &end, 10);
    return end != s.number.c_str() ? v : std::numeric_limits<long>::max();
}

double earliest(const std::vector<const DicomSlice*>& slices, double DicomSlice::*field,
                double scale) {
    double t = NAN;
    for (const auto* s : slices) {
        const double v = s->*field;
        if (!std::isfinite(v)) {
            return NAN;  // unknown unless every frame says
        }
        t = std::isfinite(t) ? std::min(t, v * scale) : v * scale;
    }
    return t;
}

DicomPhase makePhase(const DicomSeries& series, int index, std::vector<const DicomSlice*> slices) {
    DicomPhase p;
    p.series = &series;
    p.temporalIndex = index;
    p.slices = std::move(slices);
    p.acquisitionTimeS = earliest(p.slices, &DicomSlice::acquisitionTimeS, 1.0);
    p.triggerTimeS = earliest(p.slices, &DicomSlice::triggerTimeMs, 1e-3);
    return p;
}

/// Times of the phases by one key, unwrapped over midnight; empty if any is unknown.
std::vector<double> phaseClock(const std::vector<DicomPhase>& phases, double DicomPhase::*key) {
    std::vector<double> t;
    for (const auto& p : phases) {
        if (!std::isfinite(p.*key)) {
            return {};
        }
        t.push_back(p.*key);
    }
    if (key == &DicomPhase::acquisitionTimeS && !t.empty()) {
        const auto [lo, hi] = std::minmax_element(t.begin(), t.end());
        if (*hi - *lo > kHalfDayS) {
            for (auto& v : t) {
                v += v < kHalfDayS ? 2 * kHalfDayS : 0.0;
            }
        }
    }
    return t;
}

bool distinct(std::vector<double> t) {
    std::sort(t.begin(), t.end());
    return std::adjacent_find(t.begin(), t.end(),
                              [](double a, double b) { return std::abs(a - b) < 1e-6; }) == t.end();
}

/// Orders phases by time (or keeps the given order when `keepOrder`) and fills the times.
void orderPhases(std::vector<DicomPhase>& phases, bool keepOrder, DicomAssignment& out) {
    const auto acquisition = phaseClock(phases, &DicomPhase::acquisitionTimeS);
    const auto trigger = phaseClock(phases, &DicomPhase::triggerTimeS);
    std::vector<double> clock;
    if (!acquisition.empty() && distinct(acquisition)) {
        clock = acquisition;
        out.phaseOrder = "AcquisitionTime";
    } else if (!trigger.empty() && distinct(trigger)) {
        clock = trigger;
        out.phaseOrder = "TriggerTime";
    } else {
        clock = !acquisition.empty() ? acquisition : trigger;
        out.phaseOrder = "SeriesNumber/temporal position (times unknown or equal)";
    }
    std::vector<std::size_t> order(phases.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    if (keepOrder) {
        out.phaseOrder = "as given by the dynamicSeries option";
    } else if (out.phaseOrder == "AcquisitionTime" || out.phaseOrder == "TriggerTime") {
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return clock[a] < clock[b]; });
    } else {
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::make_pair(numberOf(*phases[a].series), phases[a].temporalIndex) <
                   std::make_pair(numberOf(*phases[b].series), phases[b].temporalIndex);
        });
    }
    std::vector<DicomPhase> sorted;
    std::vector<double> sortedClock;
    for (auto i : order) {
        sorted.push_back(std::move(phases[i]));
        if (!clock.empty()) {
            sortedClock.push_back(clock[i]);
        }
    }
    phases = std::move(sorted);
    for (std::size_t c = 0; c < out.phaseTimes.size() && c < phases.size(); ++c) {
        out.phaseTimes[c] = sortedClock.empty() ? NAN : sortedClock[c] - sortedClock[0];
    }
}

const DicomSeries* findSeries(const std::vector<DicomSeries>& all, const std::string& id,
                              const fs::path& folder) {
    for (const auto& s : all) {
        if (s.uid == id) {
            return &s;
        }
    }
    for (const auto& s : all) {
        if (!s.number.empty() && s.number == id) {
            return &s;
        }
    }
    std::string known;
    for (const auto& s : all) {
        known += (known.empty() ? "" : ", ") + s.number + " (" + s.uid + ")";
    }
    throw IoError(
        ErrorCode::InvalidArgument, folder,
        "no series with SeriesInstanceUID or SeriesNumber '" + id + "'; the folder holds " + known);
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) {
            items.push_back(item.substr(b, e - b + 1));
        }
    }
    return items;
}

std::size_t indexOf(const std::vector<DicomSeries>& all, const DicomSeries* s) {
    return static_cast<std::size_t>(s - all.data());
}

/// Geometry of a single-phase series, or nothing if its frames do not form a volume.
std::optional<Geometry> gridOf(const DicomSeries& s) {
    std::vector<const DicomSlice*> slices;
    for (const auto& f : s.slices) {
        slices.push_back(&f);
    }
    try {
        return stackGeometry(slices, s.files.front());
    } catch (const IoError&) {
        return std::nullopt;
    }
}

}  // namespace

std::vector<DicomPhase> splitPhases(const DicomSeries& series, const fs::path& folder) {
    auto groups = groupByPosition(series.slices);
    const std::size_t count = groups.front().size();
    std::vector<DicomPhase> phases;
    if (std::all_of(groups.begin(), groups.end(), [](const auto& g) { return g.size() == 1; })) {
        std::vector<const DicomSlice*> slices;
        for (const auto& g : groups) {
            slices.push_back(g.front());
        }
        phases.push_back(makePhase(series, 0, std::move(slices)));
        return phases;
    }
    for (const auto& g : groups) {
        if (g.size() != count) {
            throw IoError(ErrorCode::GeometryMismatch, folder,
                          seriesName(series) + ": unequal numbers of frames per slice position (" +
                              std::to_string(count) + " at one, " + std::to_string(g.size()) +
                              " at another, e.g. " + g.front()->file.string() +
                              "): a temporal position is incomplete");
        }
    }
    // Which key tells the frames at one position apart: it must be known and distinct there.
    using Key = double (*)(const DicomSlice*);
    const std::array<std::pair<const char*, Key>, 3> keys{{
        {"TemporalPositionIdentifier",
         [](const DicomSlice* s) {
             return s->temporalPosition ? static_cast<double>(*s->temporalPosition) : NAN;
         }},
        {"TriggerTime", [](const DicomSlice* s) { return s->triggerTimeMs; }},
        {"AcquisitionTime", [](const DicomSlice* s) { return s->acquisitionTimeS; }},
    }};
    for (const auto& [name, key] : keys) {
        const bool usable = std::all_of(groups.begin(), groups.end(), [&](const auto& g) {
            std::vector<double> values;
            for (const auto* s : g) {
                if (!std::isfinite(key(s))) {
                    return false;
                }
                values.push_back(key(s));
            }
            return distinct(values);
        });
        if (!usable) {
            continue;
        }
        for (auto& g : groups) {
            std::stable_sort(g.begin(), g.end(),
                             [&](const auto* a, const auto* b) { return key(a) < key(b); });
        }
        for (std::size_t p = 0; p < count; ++p) {
            std::vector<const DicomSlice*> slices;
            for (const auto& g : groups) {
                slices.push_back(g[p]);
            }
            phases.push_back(makePhase(series, static_cast<int>(p), std::move(slices)));
        }
        return phases;
    }
    throw IoError(ErrorCode::GeometryMismatch, folder,
                  seriesName(series) + ": " + std::to_string(count) +
                      " frames per slice position that neither TemporalPositionIdentifier, "
                      "TriggerTime nor AcquisitionTime tell apart");
}

DicomAssignment assignDicomSeries(const std::vector<DicomSeries>& all,
                                  const StudyReadOptions& options, const fs::path& folder) {
    DicomAssignment out;
    out.roles.assign(all.size(), "not used");
    out.phaseCounts.assign(all.size(), 1);
    for (std::size_t i = 0; i < all.size(); ++i) {
        out.phaseCounts[i] = all[i].temporalPositions;
        if (auto why = ignoredBecause(all[i])) {
            out.roles[i] = *why;
        }
    }
    auto usable = [&](std::size_t i) { return out.roles[i] == "not used"; };

    // Series forced as dynamic by the option are never T2 candidates.
    std::vector<const DicomSeries*> forcedDynamic;
    if (!options.dynamicSeries.empty()) {
        const auto ids = splitList(options.dynamicSeries);
        if (ids.size() != 1 && ids.size() != static_cast<std::size_t>(kDynamicChannelCount)) {
            throw IoError(ErrorCode::InvalidArgument, folder,
                          "the dynamicSeries option names " + std::to_string(ids.size()) +
                              " series; it takes one (with temporal positions) or five");
        }
        for (const auto& id : ids) {
            forcedDynamic.push_back(findSeries(all, id, folder));
        }
    }
    auto forced = [&](const DicomSeries& s) {
        return std::find(forcedDynamic.begin(), forcedDynamic.end(), &s) != forcedDynamic.end();
    };

    // T2.
    const DicomSeries* t2 = nullptr;
    if (!options.t2Series.empty()) {
        t2 = findSeries(all, options.t2Series, folder);
        out.roles[indexOf(all, t2)] = "t2 (t2Series option)";
    } else {
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (!usable(i) || forced(all[i]) || t2Evidence(all[i]) == 0) {
                continue;
            }
            const auto better = [&](const DicomSeries& a, const DicomSeries& b) {
                return std::make_tuple(-t2Evidence(a), -static_cast<long>(a.slices.size()),
                                       numberOf(a)) <
                       std::make_tuple(-t2Evidence(b), -static_cast<long>(b.slices.size()),
                                       numberOf(b));
            };
            if (t2 == nullptr || better(all[i], *t2)) {
                t2 = &all[i];
            }
        }
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (usable(i) && !forced(all[i]) && t2Evidence(all[i]) > 0) {
                out.roles[i] = &all[i] == t2 ? (t2Evidence(all[i]) == 2 ? "t2 (description)"
                                                                        : "t2 (EchoTime > 50 ms)")
                                             : "not used (another T2 candidate)";
            }
        }
    }

    // Dynamic phases.
    std::vector<DicomPhase> phases;
    bool keepOrder = false;
    if (!forcedDynamic.empty()) {
        for (const DicomSeries* s : forcedDynamic) {
            for (auto& p : splitPhases(*s, folder)) {
                phases.push_back(std::move(p));
            }
        }
        keepOrder = forcedDynamic.size() > 1;
    } else {
        const DicomSeries* multi = nullptr;
        std::vector<std::size_t> singles;
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (!usable(i) || &all[i] == t2) {
                continue;
            }
            if (all[i].temporalPositions > 1) {
                if (multi == nullptr || all[i].temporalPositions > multi->temporalPositions) {
                    multi = &all[i];
                }
            } else {
                singles.push_back(i);
            }
        }
        // A series with temporal positions wins unless it has too few and five separate
        // series are there.
        const auto five = static_cast<std::size_t>(kDynamicChannelCount);
        if (multi != nullptr &&
            (static_cast<std::size_t>(multi->temporalPositions) >= five || singles.size() < five)) {
            phases = splitPhases(*multi, folder);
        } else {
            if (singles.size() > static_cast<std::size_t>(kDynamicChannelCount)) {
                // Keep the most common grid (other series are likely other protocols).
                std::vector<std::pair<std::size_t, std::optional<Geometry>>> grids;
                for (auto i : singles) {
                    grids.emplace_back(i, gridOf(all[i]));
                }
                std::vector<std::size_t> best;
                for (const auto& [i, g] : grids) {
                    std::vector<std::size_t> same;
                    for (const auto& [j, h] : grids) {
                        if (g && h && g->sameGrid(*h, 1e-3)) {
                            same.push_back(j);
                        }
                    }
                    if (same.size() > best.size()) {
                        best = same;
                    }
                }
                if (best.size() >= static_cast<std::size_t>(kDynamicChannelCount)) {
                    for (auto i : singles) {
                        if (std::find(best.begin(), best.end(), i) == best.end()) {
                            out.roles[i] = "not used (not on the grid of the dynamic series)";
                        }
                    }
                    singles = best;
                }
            }
            for (auto i : singles) {
                phases.push_back(splitPhases(all[i], folder).front());
            }
        }
    }
    if (phases.size() < static_cast<std::size_t>(kDynamicChannelCount)) {
        std::string found;
        for (const auto& p : phases) {
            found += (found.empty() ? "" : ", ") + seriesName(*p.series);
        }
        throw IoError(ErrorCode::MissingChannel, folder,
                      "found " + std::to_string(phases.size()) +
                          " dynamic phase(s), pre + 4 post-contrast needed" +
                          (found.empty() ? std::string() : " (" + found + ")") +
                          "; choose them with the dynamicSeries option");
    }
    orderPhases(phases, keepOrder, out);
    std::vector<const DicomSeries*> described;
    for (std::size_t p = 0; p < phases.size(); ++p) {
        auto& role = out.roles[indexOf(all, phases[p].series)];
        const bool first =
            std::find(described.begin(), described.end(), phases[p].series) == described.end();
        described.push_back(phases[p].series);
        const bool multiPhase = phases[p].series->temporalPositions > 1;
        std::string what = p < static_cast<std::size_t>(kDynamicChannelCount)
                               ? std::string(channelName(static_cast<Channel>(p)))
                               : std::string("extra phase, not used");
        if (multiPhase) {
            what =
                "temporal position " + std::to_string(phases[p].temporalIndex + 1) + " → " + what;
            role = first ? what : role + "; " + what;
        } else {
            role = what;
        }
    }
    phases.resize(kDynamicChannelCount);
    for (int c = 0; c < kDynamicChannelCount; ++c) {
        out.dynamic[static_cast<std::size_t>(c)] = std::move(phases[static_cast<std::size_t>(c)]);
    }

    if (t2 == nullptr) {
        throw IoError(ErrorCode::MissingChannel, folder,
                      "no T2 series (SeriesDescription with T2/TSE/STIR or EchoTime > 50 ms); "
                      "choose it with the t2Series option");
    }
    for (const auto& p : out.dynamic) {
        if (p.series == t2) {
            throw IoError(ErrorCode::InvalidArgument, folder,
                          seriesName(*t2) + " is chosen both as T2 and as a dynamic phase");
        }
    }
    auto t2Phases = splitPhases(*t2, folder);
    out.t2 = std::move(t2Phases.front());
    if (t2Phases.size() > 1) {
        out.roles[indexOf(all, t2)] +=
            " (first of " + std::to_string(t2Phases.size()) + " temporal positions)";
    }
    return out;
}

}  // namespace bmsc::io::detail
