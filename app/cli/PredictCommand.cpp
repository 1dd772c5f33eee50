// breastmsc-cli predict: malignancy probability per breast for a study or a cohort.
#include "CliModel.h"
#include "CliProgress.h"
#include "Commands.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/StudyReader.h"
#include "breastmsc/ml/Inference.h"
#include "breastmsc/ml/Metrics.h"
#include "breastmsc/ml/TrainingRun.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace bmsc::cli {
namespace fs = std::filesystem;
using namespace bmsc::io;

namespace {

constexpr const char* kFooter =
    R"(Which weights: a run folder gives, by default, each patient the fold that had it in its
test set (RUN/folds.json: the cross-validated predictions of the run) and every other
patient the mean probability of all finished folds (the ensemble). --ensemble uses the
ensemble for everyone; --fold N uses fold N only. A fold trained with "ensemble": N in its
config is the mean of its N networks. A checkpoint file is used as it is.
Rows whose weights were trained on the patient are marked seen_in_training=1; the AUROC is
printed over all labelled rows and over the unseen ones.)";

struct Args : ModelArgs {
    std::string out;
};

struct Row {
    std::string patient;
    Side side = Side::Left;
    double probability = 0.0;
    Label label = Label::Unlabelled;
    std::string model;
    bool seen = false;
};

void printAuroc(const char* what, const std::vector<Row>& rows, bool unseenOnly) {
    std::vector<double> p;
    std::vector<int> y;
    for (const auto& r : rows) {
        if (r.label != Label::Unlabelled && !(unseenOnly && r.seen)) {
            p.push_back(r.probability);
            y.push_back(r.label == Label::Malignant ? 1 : 0);
        }
    }
    if (p.empty()) {
        return;
    }
    const auto m = ml::binaryMetrics(p, y);
    int positives = 0;
    for (const int v : y) {
        positives += v;
    }
    if (std::isnan(m.auroc)) {
        std::printf("%s: %zu labelled breasts of one class only; no AUROC\n", what, p.size());
        return;
    }
    std::printf(
        "%s: AUROC %.4f, accuracy %.4f, sensitivity %.4f, specificity %.4f (%zu breasts, %d "
        "malignant)\n",
        what, m.auroc, m.accuracy, m.sensitivity, m.specificity, p.size(), positives);
}

void runPredict(const Args& args) {
    if (args.study.empty() == args.cohort.empty()) {
        throw CLI::ValidationError("give either --study DIR or --cohort DIR");
    }
    auto model = loadCliModel(args);
    std::vector<Row> rows;
    auto add = [&](const std::string& id, const ml::StudyPrediction& p,
                   const ml::InferenceModel::Choice& choice, const Cohort* cohort) {
        for (const auto side : {Side::Left, Side::Right}) {
            Row r;
            r.patient = id;
            r.side = side;
            r.probability = p.breast(side).probability;
            r.model = choice.name;
            r.seen = choice.seenInTraining;
            if (cohort != nullptr) {
                const auto record = cohort->breast(id, side);
                r.label = record ? record->label : Label::Unlabelled;
            }
            rows.push_back(r);
        }
    };
    if (!args.study.empty()) {
        CliProgress progress("reading", args.quiet);
        const auto study = readStudy(args.study, {}, &progress);
        progress.finish();
        std::string id = study.metadata.patientId;
        if (id.empty()) {
            id = fs::path(args.study).lexically_normal().filename().string();
        }
        const auto choice = model.choose(id, !args.ensemble);
        add(id, model.predict(study, choice.model), choice, nullptr);
    } else {
        const auto cohort = Cohort::open(args.cohort);
        const auto patients = cohort.patients();
        CliProgress progress("predicting", args.quiet);
        for (std::size_t i = 0; i < patients.size(); ++i) {
            throwIfCancelled(&progress, args.cohort.c_str());
            progress.report(static_cast<double>(i) / static_cast<double>(patients.size()),
                            patients[i]);
            const auto study = cohort.loadStudy(patients[i]);
            const auto choice = model.choose(patients[i], !args.ensemble);
            add(patients[i], model.predict(study, choice.model), choice, &cohort);
        }
        progress.finish();
    }

    std::printf("%-20s %-6s %11s  %-10s %s\n", "patient", "side", "probability", "label", "model");
    std::size_t seen = 0;
    for (const auto& r : rows) {
        std::printf("%-20s %-6s %11.4f  %-10s %s%s\n", r.patient.c_str(),
                    std::string(sideName(r.side)).c_str(), r.probability,
                    r.label == Label::Unlabelled ? "-" : std::string(labelName(r.label)).c_str(),
                    r.model.c_str(), r.seen ? " (seen in training)" : "");
        seen += r.seen ? 1 : 0;
    }
    if (!args.cohort.empty()) {
        printAuroc("all labelled breasts", rows, false);
        if (seen > 0) {
            std::printf(
                "warning: %zu breasts were predicted by weights trained on their patient; their "
                "probabilities are optimistic\n",
                seen);
            printAuroc("breasts unseen by their weights", rows, true);
        }
    }
    if (!args.out.empty()) {
        CsvTable table({"patient_id", "side", "probability", "label", "model", "seen_in_training"});
        for (const auto& r : rows) {
            char p[32];
            std::snprintf(p, sizeof p, "%.6f", r.probability);
            table.addRow({r.patient, std::string(sideName(r.side)), p,
                          std::string(labelName(r.label)), r.model, r.seen ? "1" : "0"});
        }
        table.write(args.out);
        std::printf("predictions written to %s\n", args.out.c_str());
    }
}

}  // namespace

void addPredictCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "predict", "Malignancy probability per breast with a trained run or checkpoint");
    auto args = std::make_shared<Args>();
    addModelOptions(cmd, *args, "A cohort folder (labels give an AUROC)");
    cmd->add_option("--out,-o", args->out, "CSV file for the predictions (written atomically)");
    cmd->footer(kFooter);
    cmd->callback([args] { runPredict(*args); });
}

}  // namespace bmsc::cli
