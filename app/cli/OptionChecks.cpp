#include "OptionChecks.h"

#include "breastmsc/io/Error.h"
#include "breastmsc/io/Geometry.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace bmsc::cli {
namespace {

// The shortest text that reads back as `value` ("0.5", "1e+06", "99999").
template <typename T>
std::string numberText(T value) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    return std::string(buffer, end);
}

// The one check behind wholeNumberIn and numberIn: the text read whole as a T (a leading '+'
// allowed, which from_chars does not take), finite, within the bounds. A top bound at T's
// largest value (or infinity) is no bound: the range reads ">= 0", not "in [0, 2^63 - 1]".
template <typename T>
CLI::Validator rangeCheck(T low, T high, Bound lowBound, Bound highBound, const char* kind,
                          const char* typeName) {
    const std::string range = high >= std::numeric_limits<T>::max()
                                  ? (lowBound == Bound::Closed ? ">= " : "> ") + numberText(low)
                                  : "in " + std::string(lowBound == Bound::Closed ? "[" : "(") +
                                        numberText(low) + ", " + numberText(high) +
                                        (highBound == Bound::Closed ? "]" : ")");
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            std::string_view digits(text);
            if (!digits.empty() && digits.front() == '+') {
                digits.remove_prefix(1);
            }
            T value{};
            const auto [end, error] =
                std::from_chars(digits.data(), digits.data() + digits.size(), value);
            bool number = !digits.empty() && end == digits.data() + digits.size();
            bool inRange = error != std::errc::result_out_of_range;
            if constexpr (std::is_floating_point_v<T>) {
                // 1e999 and NaN are not numbers an option can take.
                number = number && inRange && std::isfinite(value);
            }
            if (!number) {
                return "'" + text + "' is not " + kind;
            }
            inRange = inRange && (lowBound == Bound::Closed ? value >= low : value > low) &&
                      (highBound == Bound::Closed ? value <= high : value < high);
            return inRange ? std::string() : text + " is not " + range;
        },
        std::string(typeName) + " " + range);
}

}  // namespace

CLI::Validator wholeNumberIn(long long low, long long high) {
    return rangeCheck(low, high, Bound::Closed, Bound::Closed, "a whole number", "INT");
}

CLI::Validator numberIn(double low, double high, Bound lowBound, Bound highBound) {
    return rangeCheck(low, high, lowBound, highBound, "a number", "FLOAT");
}

CLI::Validator gridSize(const char* example, std::function<void(const io::Index3&)> usable) {
    const std::string form = std::string("a grid XxYxZ such as ") + example;
    return CLI::Validator(
        [form, usable = std::move(usable)](std::string& text) -> std::string {
            io::Index3 grid{};
            try {
                grid = io::parseGridSize(text);
            } catch (const io::IoError&) {
                return "'" + text + "' is not " + form;
            }
            try {
                if (usable) {
                    usable(grid);
                }
                return {};
            } catch (const io::IoError& e) {
                return "'" + text + "': " + e.reason();
            }
        },
        "XxYxZ");
}

CLI::Validator deviceName() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            if (text == "cpu" || text == "cuda") {
                return {};
            }
            const std::string_view prefix = "cuda:";
            if (text.size() > prefix.size() && text.compare(0, prefix.size(), prefix) == 0) {
                int index = -1;
                const char* first = text.data() + prefix.size();
                const char* last = text.data() + text.size();
                const auto [end, error] = std::from_chars(first, last, index);
                if (error == std::errc() && end == last && index >= 0) {
                    return {};
                }
            }
            return "'" + text + "' is not a device (cpu, cuda or cuda:N)";
        },
        "DEVICE");
}

}  // namespace bmsc::cli
