// bench_dicom_load [STUDY_FOLDER] [--reps N]
// Times loading a six-series DICOM study (512×512×32 each, 192 files; written with pydicom
// into a temporary folder when none is given): our readDicomStudy, scanDicomFolder +
// readDicomVolume per series, dcm2niix converting the folder, and ITK's GDCM series reader.
// Prints the median wall time of each over the repetitions.

#include "breastmsc/io/Dicom.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string quoted(const fs::path& p) {
    std::string out(1, '\'');  // built by appends: GCC 12 warns falsely on "'" + string
    out += p.string();
    out += '\'';
    return out;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Row {
    Row(std::string n, std::function<double()> r) : name(std::move(n)), run(std::move(r)) {}
    std::string name;
    std::function<double()> run;  ///< returns a checksum so that nothing is optimised away
    std::vector<double> seconds;
    double checksum = 0;
};

double sum(const bmsc::io::Volume& v) {
    double s = 0;
    for (float x : v.voxels()) {
        s += x;
    }
    return s;
}

double itkGdcmRead(const fs::path& folder) {
    using Image = itk::Image<float, 3>;
    auto names = itk::GDCMSeriesFileNames::New();
    names->SetRecursive(true);
    names->SetUseSeriesDetails(false);
    names->SetDirectory(folder.string());
    double checksum = 0;
    for (const auto& uid : names->GetSeriesUIDs()) {
        auto reader = itk::ImageSeriesReader<Image>::New();
        reader->SetImageIO(itk::GDCMImageIO::New());
        reader->SetFileNames(names->GetFileNames(uid));
        reader->Update();
        const Image* image = reader->GetOutput();
        const float* p = image->GetBufferPointer();
        const auto n = image->GetLargestPossibleRegion().GetNumberOfPixels();
        for (std::size_t i = 0; i < n; ++i) {
            checksum += p[i];
        }
    }
    return checksum;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path folder;
    int reps = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--reps" && i + 1 < argc) {
            reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "-h" || a == "--help") {
            std::cout << "usage: bench_dicom_load [STUDY_FOLDER] [--reps N]\n";
            return 0;
        } else {
            folder = a;
        }
    }
    const fs::path scratch =
        fs::temp_directory_path() / ("bench_dicom_load_" + std::to_string(std::random_device{}()));
    fs::create_directories(scratch);
    if (folder.empty()) {
        folder = scratch / "study";
        std::cout << "writing a six-series 512x512x32 study with pydicom into " << folder << " ..."
                  << std::endl;
        const std::string command = std::string(BMSC_BENCH_PYTHON) + " " +
                                    quoted(BMSC_STUDY_WRITER) + " --out " + quoted(folder) +
                                    " --size 512 512 32 --spacing 0.7 0.7 3 --t2-size 512 512 32"
                                    " > /dev/null";
        if (std::system(command.c_str()) != 0) {
            std::cerr << "could not write the study: " << command << "\n";
            return 1;
        }
    }

    // Warm the page cache so that every contender reads from memory.
    std::size_t files = 0;
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(folder)) {
        if (e.is_regular_file()) {
            ++files;
            bytes += e.file_size();
            std::ifstream in(e.path(), std::ios::binary);
            std::vector<char> buffer(1 << 20);
            while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()))) {
            }
        }
    }

    // What our reader made of the study, once (so that the figures can be trusted).
    for (const auto& line : bmsc::io::readDicomStudy(folder).metadata.report) {
        std::cout << "  " << line << "\n";
    }

    const bool haveDcm2niix = std::system("command -v dcm2niix > /dev/null 2>&1") == 0;
    std::vector<Row> rows;
    rows.emplace_back("breastmsc readDicomStudy (6 channels)", [&] {
        const auto study = bmsc::io::readDicomStudy(folder);
        double s = 0;
        for (auto c : bmsc::io::kAllChannels) {
            s += sum(study.channel(c));
        }
        return s;
    });
    rows.emplace_back("breastmsc scanDicomFolder + 6x readDicomVolume", [&] {
        double s = 0;
        for (const auto& series : bmsc::io::scanDicomFolder(folder)) {
            s += sum(bmsc::io::readDicomVolume(series.files));
        }
        return s;
    });
    rows.push_back(
        {"ITK GDCMSeriesFileNames + ImageSeriesReader", [&] { return itkGdcmRead(folder); }});
    if (haveDcm2niix) {
        rows.emplace_back("dcm2niix -z n (subprocess, writes NIfTI)", [&] {
            const fs::path out = scratch / "nifti";
            fs::remove_all(out);
            fs::create_directories(out);
            const std::string command =
                "dcm2niix -z n -b n -o " + quoted(out) + " " + quoted(folder) + " > /dev/null 2>&1";
            return static_cast<double>(std::system(command.c_str()));
        });
    }

    for (int r = 0; r < reps; ++r) {
        for (auto& row : rows) {
            const auto t0 = Clock::now();
            row.checksum = row.run();
            row.seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
    }

    std::printf("\nDICOM study: %s\n%zu files, %.1f MiB, %u hardware threads, %d repetitions\n\n",
                folder.c_str(), files, static_cast<double>(bytes) / (1 << 20),
                std::thread::hardware_concurrency(), reps);
    std::printf("%-50s %12s %12s %12s\n", "reader", "median ms", "min ms", "max ms");
    for (const auto& row : rows) {
        const auto [lo, hi] = std::minmax_element(row.seconds.begin(), row.seconds.end());
        std::printf("%-50s %12.1f %12.1f %12.1f\n", row.name.c_str(), 1e3 * median(row.seconds),
                    1e3 * *lo, 1e3 * *hi);
    }
    if (!haveDcm2niix) {
        std::printf("(dcm2niix not found: Debian package dcm2niix)\n");
    }
    std::printf("\nchecksums (sum of voxels): ours %.6g / %.6g, ITK %.6g\n", rows[0].checksum,
                rows[1].checksum, rows[2].checksum);
    fs::remove_all(scratch);
    return 0;
}
