#include "NumberChecks.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace bmsc::cli {
namespace {

// The shortest text that reads back as `value` ("0.5", "1e+06", "99999").
std::string shortText(double value) {
    std::ostringstream text;
    text << value;
    return text.str();
}

std::string rangeText(const std::string& low, const std::string& high, Bound lowBound,
                      Bound highBound) {
    return (lowBound == Bound::Closed ? "[" : "(") + low + ", " + high +
           (highBound == Bound::Closed ? "]" : ")");
}

// from_chars takes no leading '+', which a person may well type.
std::string_view withoutPlus(const std::string& text) {
    std::string_view view(text);
    if (!view.empty() && view.front() == '+') {
        view.remove_prefix(1);
    }
    return view;
}

}  // namespace

CLI::Validator wholeNumberIn(long long low, long long high) {
    // A range open to the top (a seed's) reads ">= 0", not "in [0, 9223372036854775807]".
    const std::string range = high == std::numeric_limits<long long>::max()
                                  ? ">= " + std::to_string(low)
                                  : "in " + rangeText(std::to_string(low), std::to_string(high),
                                                      Bound::Closed, Bound::Closed);
    return CLI::Validator(
        [low, high, range](std::string& text) -> std::string {
            const std::string_view digits = withoutPlus(text);
            long long value = 0;
            const auto [end, error] =
                std::from_chars(digits.data(), digits.data() + digits.size(), value);
            if (digits.empty() || end != digits.data() + digits.size()) {
                return "'" + text + "' is not a whole number";
            }
            if (error == std::errc::result_out_of_range || value < low || value > high) {
                return text + " is not " + range;
            }
            return {};
        },
        "INT " + range);
}

CLI::Validator numberIn(double low, double high, Bound lowBound, Bound highBound) {
    const bool unbounded = high == std::numeric_limits<double>::infinity();
    const std::string range =
        unbounded ? (lowBound == Bound::Closed ? ">= " : "> ") + shortText(low)
                  : "in " + rangeText(shortText(low), shortText(high), lowBound, highBound);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            const std::string_view digits = withoutPlus(text);
            double value = 0.0;
            const auto [end, error] =
                std::from_chars(digits.data(), digits.data() + digits.size(), value);
            if (digits.empty() || end != digits.data() + digits.size() || error != std::errc() ||
                !std::isfinite(value)) {
                return "'" + text + "' is not a number";
            }
            const bool aboveLow = lowBound == Bound::Closed ? value >= low : value > low;
            const bool belowHigh = highBound == Bound::Closed ? value <= high : value < high;
            if (!aboveLow || !belowHigh) {
                return text + " is not " + range;
            }
            return {};
        },
        "FLOAT " + range);
}

}  // namespace bmsc::cli
