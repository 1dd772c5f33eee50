// breastmsc-cli: headless commands for researchers and clusters.
#include "CliProgress.h"
#include "Commands.h"
#include "breastmsc/io/Error.h"

#ifdef BMSC_CLI_WITH_ML
#include "breastmsc/ml/Memory.h"
#endif

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace {

// Exit statuses: 1 for an error the command met (a file, a folder, a value it refused), 2 for a
// command line the parser refused, 128 + the signal's number when SIGINT or SIGTERM stopped a
// command (130, 143).
constexpr int kUsageError = 2;

// A command line the parser refused reads like every other error, "error: <reason>", followed by
// the help to read: the command's own when the parser got as far as naming one.
int reportUsageError(const CLI::App& app, const CLI::ParseError& e) {
    std::string help = app.get_name();
    for (const CLI::App* command : app.get_subcommands()) {
        help += " " + command->get_name();
    }
    std::fprintf(stderr, "error: %s\nSee '%s --help'.\n", e.what(), help.c_str());
    return kUsageError;
}

// The first word, when it is not an option, must name a command: say which word is unknown, or
// that none was given, and list the commands (CLI11 would only say that one is required).
bool reportMissingOrUnknownCommand(const CLI::App& app, int argc, char** argv) {
    if (argc >= 2 && argv[1][0] == '-') {
        return false;
    }
    const std::string word = argc >= 2 ? argv[1] : "";
    const std::function<bool(const CLI::App*)> everyCommand = [](const CLI::App*) { return true; };
    std::string names;
    for (const CLI::App* command : app.get_subcommands(everyCommand)) {
        if (!word.empty() && command->check_name(word)) {
            return false;
        }
        names += (names.empty() ? "" : ", ") + command->get_name();
    }
    const std::string reason = word.empty() ? "give a command" : "unknown command '" + word + "'";
    std::fprintf(stderr, "error: %s; the commands are %s\nSee '%s --help'.\n", reason.c_str(),
                 names.c_str(), app.get_name().c_str());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"BreastMSC: breast DCE-MRI studies, cohorts and the multi-scale curriculum CNN",
                 "breastmsc-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "breastmsc-cli 0.1.0");
    app.footer(
        "Exit status: 0 done, 1 error, 2 command line not understood, 130 stopped by Ctrl-C, "
        "143 by SIGTERM (a scheduler's time limit; train keeps its checkpoints for --resume).");
    bmsc::cli::addInfoCommand(app);
    bmsc::cli::addConvertCommand(app);
    bmsc::cli::addGenerateCommand(app);
    bmsc::cli::addPreprocessCommand(app);
#ifdef BMSC_CLI_WITH_ML
    bmsc::cli::addTrainCommand(app);
    bmsc::cli::addPredictCommand(app);
    bmsc::cli::addCamCommand(app);
#endif
    bmsc::cli::installInterruptHandler();
#ifdef BMSC_CLI_WITH_ML
    // Training and inference reuse their freed blocks instead of faulting in fresh pages every
    // step (doc/RESULTS.md); the cache is the process's until the command ends.
    // BREASTMSC_CPU_BLOCK_CACHE=0 leaves LibTorch's own allocator (to compare, or to look at
    // memory with tools that watch malloc).
    if (const char* cache = std::getenv("BREASTMSC_CPU_BLOCK_CACHE");
        cache == nullptr || std::string_view(cache) != "0") {
        bmsc::ml::installCpuBlockCache();
    }
#endif
    if (reportMissingOrUnknownCommand(app, argc, argv)) {
        return kUsageError;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end the parse with an exit status of 0: CLI11 prints them.
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            return app.exit(e);
        }
        return reportUsageError(app, e);
    } catch (const bmsc::io::IoError& e) {
        // The library says "cancelled by the user" (in the application a person pressed
        // Cancel); here a signal stopped the work, so the message names it.
        const char* signal = bmsc::cli::interruptingSignalName();
        if (e.code() == bmsc::io::ErrorCode::Cancelled && signal != nullptr) {
            const std::string where = e.path().empty() ? std::string() : e.path().string() + ": ";
            std::fprintf(stderr, "error: %sstopped by %s\n", where.c_str(), signal);
        } else {
            std::fprintf(stderr, "error: %s\n", e.what());
        }
        return e.code() == bmsc::io::ErrorCode::Cancelled ? bmsc::cli::interruptedExitStatus() : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", bmsc::io::reasonOf(e).c_str());
        return 1;
    }
    return 0;
}
