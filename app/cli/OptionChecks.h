#pragma once

#include "breastmsc/io/Geometry.h"

#include <CLI/CLI.hpp>

#include <functional>

namespace bmsc::cli {

/// Whether a bound of a number's range belongs to it.
enum class Bound { Closed, Open };

/// The check of an integer option: the text must be a whole number in [low, high] (high = the
/// largest long long: no upper bound). It says "--patients: 'abc' is not a whole number" or
/// "--patients: 0 is not in [1, 99999]", where CLI11's own range check says "Value abc not in
/// range 1 to 99999" of a word.
CLI::Validator wholeNumberIn(long long low, long long high);

/// The check of a real option: a finite number between `low` and `high`, each bound in or out
/// of the range as `lowBound`/`highBound` say (NaN and infinities are refused).
CLI::Validator numberIn(double low, double high, Bound lowBound = Bound::Closed,
                        Bound highBound = Bound::Closed);

/// The check of a grid option (`--size`, `--grid`): three whole numbers joined by 'x', as
/// io::parseGridSize reads them; `example` is the form the message shows ("'64by64' is not a
/// grid XxYxZ such as 512x512x32"). `usable`, when given, refuses a grid the command cannot use
/// by throwing io::IoError, whose reason the message shows ("'63x64x16': the grid's x size must
/// be even ...").
CLI::Validator gridSize(const char* example,
                        std::function<void(const io::Index3&)> usable = nullptr);

/// The check of `--device`: cpu, cuda or cuda:N. Whether this LibTorch has such a device is
/// known only when the model is placed (ml::parseDevice), not here.
CLI::Validator deviceName();

}  // namespace bmsc::cli
