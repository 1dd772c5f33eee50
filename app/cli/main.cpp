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
#include <string_view>

int main(int argc, char** argv) {
    CLI::App app{"BreastMSC: breast DCE-MRI studies, cohorts and the multi-scale curriculum CNN",
                 "breastmsc-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "breastmsc-cli 0.1.0");
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
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const bmsc::io::IoError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return e.code() == bmsc::io::ErrorCode::Cancelled ? 130 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
