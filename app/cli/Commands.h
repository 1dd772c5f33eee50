#pragma once

#include <CLI/CLI.hpp>

namespace bmsc::cli {

// Each command registers its subcommand and options; its callback runs the command and throws
// on failure (main turns exceptions into a message on stderr and a non-zero exit).
void addInfoCommand(CLI::App& app);
void addConvertCommand(CLI::App& app);
void addGenerateCommand(CLI::App& app);
void addPreprocessCommand(CLI::App& app);
#ifdef BMSC_CLI_WITH_ML
void addTrainCommand(CLI::App& app);  // train, evaluate, compare
void addPredictCommand(CLI::App& app);
void addCamCommand(CLI::App& app);
#endif

}  // namespace bmsc::cli
