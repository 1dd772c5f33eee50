// Inference and CAM for new studies (issue 3 §4): probabilities equal a direct forward pass,
// run folders give fold ensembles and out-of-fold choices, CAMs lie on the study grid, the
// pointing score counts what it should, bad input fails with the file named; the predict and
// cam commands end to end.
#include "TestSupport.h"
#include "TinyCohort.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Csv.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/io/ImageFile.h"
#include "breastmsc/io/Preprocess.h"
#include "breastmsc/ml/CamPointing.h"
#include "breastmsc/ml/Checkpoint.h"
#include "breastmsc/ml/ClassActivationMap.h"
#include "breastmsc/ml/Inference.h"
#include "breastmsc/ml/TensorConversion.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <map>
#include <optional>

using namespace bmsc;
using namespace bmsc::ml;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

BreastClassifier makeModel(const TrainingConfig& c, std::uint64_t seed) {
    torch::manual_seed(seed);
    BreastClassifier m(c.network, HeadKind::WholeBreast);
    // A non-zero bias so that the CAM's constant term is exercised.
    torch::NoGradGuard g;
    m->fc()->bias.copy_(torch::tensor({0.1f, -0.2f}));
    m->eval();
    return m;
}

/// The malignancy probability of one forward pass; `mirrored`: of the breast flipped in x.
double directProbability(BreastClassifier& m, const io::BreastImage& breast,
                         bool mirrored = false) {
    torch::NoGradGuard g;
    m->eval();
    auto x = toTensor(std::span<const io::Volume>(breast.channels)).unsqueeze(0);
    if (mirrored) {
        x = x.flip({2});
    }
    return torch::softmax(m->forward(x), 1)[0][1].item<double>();
}

void writeText(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

io::ErrorCode errorOf(const std::function<void()>& f, std::string* message) {
    try {
        f();
    } catch (const io::IoError& e) {
        *message = e.what();
        return e.code();
    }
    *message = "no error";
    return io::ErrorCode::Cancelled;  // never expected in these tests
}

}  // namespace

class TestInference : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    fs::path cohort_, run_, checkpoint_;
    TrainingConfig config_;
    BreastClassifier a_{nullptr}, b_{nullptr};
    std::vector<std::string> patients_;
    std::map<std::string, io::PreprocessResult> pre_;  ///< each study preprocessed once
    std::optional<PointingResult> pointing_;

    const PointingResult& pointing() {
        if (!pointing_) {
            auto model = InferenceModel::load(run_);
            pointing_ = evaluatePointing(model, io::Cohort::open(cohort_));
        }
        return *pointing_;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const fs::path root = test::toPath(dir_.path());
        cohort_ = root / "cohort";
        test::makeTinyCohort(cohort_, 3, 5);
        patients_ = io::Cohort::open(cohort_).patients();
        QCOMPARE(patients_.size(), std::size_t(3));
        config_ = test::tinyConfig();
        const auto cohort = io::Cohort::open(cohort_);
        for (const auto& id : patients_) {
            pre_[id] = io::preprocess(cohort.loadStudy(id), config_.preprocess);
        }
        torch::set_num_threads(2);
        a_ = makeModel(config_, 11);
        b_ = makeModel(config_, 12);
        const json meta = {{"config", config_.toJson()}, {"stage", 2}, {"fold", 0}};
        checkpoint_ = root / "model.pt";
        saveCheckpoint(checkpoint_, a_, nullptr, meta);

        // A run folder as TrainingRun writes it: two finished folds, each testing other
        // patients, and a third fold folder that never finished.
        run_ = root / "run";
        fs::create_directories(run_ / "fold1");
        fs::create_directories(run_ / "fold2");
        writeText(run_ / "config.json", config_.toJson().dump(2));
        auto ids = [](std::initializer_list<std::string> list) {
            json a = json::array();
            for (const auto& id : list) {
                a.push_back(id);
            }
            return a;
        };
        json folds = json::array();
        json f1, f2;
        f1["train"] = ids({patients_[1]});
        f1["validation"] = ids({patients_[2]});
        f1["test"] = ids({patients_[0]});
        f2["train"] = ids({patients_[0]});
        f2["validation"] = json::array();
        f2["test"] = ids({patients_[1], patients_[2]});
        folds.push_back(f1);
        folds.push_back(f2);
        writeText(run_ / "folds.json", folds.dump(2));
        auto m1 = meta;
        saveCheckpoint(run_ / "fold1" / "stage2_best.pt", a_, nullptr, m1);
        m1["fold"] = 1;
        saveCheckpoint(run_ / "fold2" / "stage2_best.pt", b_, nullptr, m1);
        writeText(run_ / "fold1" / "fold.json", "{}");
        writeText(run_ / "fold2" / "fold.json", "{}");
    }

    void probabilitiesEqualForwardPass() {
        auto model = InferenceModel::load(checkpoint_);
        QCOMPARE(model.models().size(), std::size_t(1));
        QVERIFY(!model.isRun());
        const auto study = io::Cohort::open(cohort_).loadStudy(patients_[0]);
        const auto& pre = pre_[patients_[0]];
        const auto p = model.predict(study);
        for (const auto side : {io::Side::Left, io::Side::Right}) {
            const double got = p.breast(side).probability;
            QVERIFY(got >= 0.0 && got <= 1.0);
            const double want = directProbability(a_, pre.breast(side));
            QVERIFY2(std::abs(got - want) < 1e-6,
                     qPrintable(QString("%1 vs %2").arg(got).arg(want)));
        }
        // The two breasts are different images: different probabilities.
        QVERIFY(p.breast(io::Side::Left).probability != p.breast(io::Side::Right).probability);
    }

    void precisionOverridesTheRunsSetting() {
        // --precision: bf16 changes the arithmetic (probabilities move a little, stay close);
        // fp32 is the run's own setting here, so it equals the default exactly.
        const auto study = io::Cohort::open(cohort_).loadStudy(patients_[0]);
        InferenceOptions fp32;
        fp32.precision = Precision::Fp32;
        InferenceOptions bf16;
        bf16.precision = Precision::Bf16;
        auto asRun = InferenceModel::load(checkpoint_);
        auto forcedFp32 = InferenceModel::load(checkpoint_, fp32);
        auto forcedBf16 = InferenceModel::load(checkpoint_, bf16);
        QVERIFY(!asRun.config().bf16 && !forcedFp32.config().bf16 && forcedBf16.config().bf16);
        const double a = asRun.predict(study).breast(io::Side::Left).probability;
        const double f = forcedFp32.predict(study).breast(io::Side::Left).probability;
        const double b = forcedBf16.predict(study).breast(io::Side::Left).probability;
        QCOMPARE(f, a);
        QVERIFY2(b != a && std::abs(b - a) < 0.05, qPrintable(QString("%1 vs %2").arg(b).arg(a)));
    }

    void mirrorAugmentationAveragesBothViews() {
        // --test-augmentation mirror: the mean probability of the breast and its left-right
        // mirror image, in predict and in cam alike; the CAM is the mean of the two maps, the
        // mirrored one flipped back.
        const auto& pre = pre_[patients_[1]];
        InferenceOptions options;
        options.testAugmentation = TestAugmentation::Mirror;
        auto mirror = InferenceModel::load(checkpoint_, options);
        auto plain = InferenceModel::load(checkpoint_);
        QVERIFY(mirror.config().testAugmentation == TestAugmentation::Mirror);
        QVERIFY(plain.config().testAugmentation == TestAugmentation::None);
        const auto p = mirror.predict(pre);
        const auto cam = mirror.cam(pre);
        for (const auto side : {io::Side::Left, io::Side::Right}) {
            const double direct = directProbability(a_, pre.breast(side));
            const double flipped = directProbability(a_, pre.breast(side), true);
            QVERIFY2(std::abs(direct - flipped) > 1e-4,
                     qPrintable(QString("%1 vs %2").arg(direct).arg(flipped)));
            const double want = (direct + flipped) / 2;
            const double got = p.breast(side).probability;
            QVERIFY2(std::abs(got - want) < 1e-6,
                     qPrintable(QString("%1 vs %2").arg(got).arg(want)));
            QVERIFY(std::abs(plain.predict(pre).breast(side).probability - direct) < 1e-6);
            QVERIFY(std::abs(cam.breast(side).probability - want) < 1e-6);

            const auto x =
                toTensor(std::span<const io::Volume>(pre.breast(side).channels)).unsqueeze(0);
            const auto mapOf = [&](const torch::Tensor& input) {
                return classActivationMap(a_, input).map.to(torch::kFloat32);
            };
            const auto expected = (mapOf(x) + mapOf(x.flip({2})).flip({0})) / 2;
            const auto got3 =
                toTensor(std::span<const io::Volume>(&cam.breast(side).breastMap, 1))[0];
            QVERIFY2(torch::allclose(got3, expected, 1e-4, 1e-5),
                     qPrintable(QString::number((got3 - expected).abs().max().item<double>())));
        }
    }

    void runGivesEnsembleAndTestFolds() {
        auto model = InferenceModel::load(run_);
        QVERIFY(model.isRun());
        QCOMPARE(model.models().size(), std::size_t(2));
        const auto& pre = pre_[patients_[1]];
        const auto p = model.predict(pre);
        const auto& left = pre.breast(io::Side::Left);
        const double pa = directProbability(a_, left), pb = directProbability(b_, left);
        QVERIFY(std::abs(pa - pb) > 1e-4);
        QVERIFY(std::abs(p.breast(io::Side::Left).probability - (pa + pb) / 2) < 1e-6);
        QCOMPARE(p.breast(io::Side::Left).modelProbabilities.size(), std::size_t(2));

        // Out of fold: patient 0 was tested by fold 1, patients 1 and 2 by fold 2.
        const auto c0 = model.choose(patients_[0], true);
        QVERIFY(c0.model && model.models()[*c0.model].fold == 0);
        QCOMPARE(c0.name, std::string("fold1"));
        QVERIFY(!c0.seenInTraining);
        const auto c1 = model.choose(patients_[1], true);
        QVERIFY(c1.model && model.models()[*c1.model].fold == 1);
        QVERIFY(std::abs(model.predict(pre, c1.model).breast(io::Side::Left).probability - pb) <
                1e-6);
        // The ensemble was trained on every patient; an unknown one was never seen.
        const auto e1 = model.choose(patients_[1], false);
        QVERIFY(!e1.model && e1.seenInTraining);
        QCOMPARE(e1.name, std::string("ensemble of 2 folds"));
        QVERIFY(!model.choose("someone-else", true).seenInTraining);

        InferenceOptions only2;
        only2.fold = 1;
        auto fold2 = InferenceModel::load(run_, only2);
        QCOMPARE(fold2.models().size(), std::size_t(1));
        QCOMPARE(fold2.models()[0].fold, 1);
        QVERIFY(!fold2.modelForTestPatient(patients_[0]));
        QVERIFY(fold2.seenInTraining(patients_[0]));
    }

    void camLiesOnStudyGrid() {
        auto model = InferenceModel::load(checkpoint_);
        const auto study = io::Cohort::open(cohort_).loadStudy(patients_[2]);
        const auto& pre = pre_[patients_[2]];
        const auto cam = model.cam(pre);
        QVERIFY(cam.studyMap.geometry().sameGrid(study.geometry()));
        for (const auto side : {io::Side::Left, io::Side::Right}) {
            const auto& b = cam.breast(side);
            QVERIFY(b.studyMap.geometry().sameGrid(study.geometry()));
            QVERIFY(b.breastMap.geometry().sameGrid(pre.breast(side).geometry));
            // The same map as classActivationMap on the preprocessed breast.
            const auto direct = classActivationMap(
                a_, toTensor(std::span<const io::Volume>(pre.breast(side).channels)).unsqueeze(0));
            const auto mine = b.breastMap.voxels();
            const auto theirVolume = toVolume(direct.map, pre.breast(side).geometry);
            const auto theirs = theirVolume.voxels();
            QCOMPARE(mine.size(), theirs.size());
            for (std::size_t i = 0; i < mine.size(); i += 97) {
                QVERIFY2(
                    std::abs(mine[i] - theirs[i]) <= 1e-5f * std::max(1.0f, std::abs(theirs[i])),
                    qPrintable(QString("%1 vs %2").arg(mine[i]).arg(theirs[i])));
            }
            QVERIFY(std::abs(b.probability - direct.malignancy) < 1e-6);

            // Zero outside this breast's crop, not zero inside.
            const io::Volume ones(pre.breast(side).geometry, 1.0f);
            const auto support = io::mapToStudy(ones, side, pre.transform);
            std::size_t outside = 0, inside = 0, nonzero = 0;
            std::int64_t best = -1;
            const auto s = support.voxels();
            const auto v = b.studyMap.voxels();
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (s[i] == 0.0f) {
                    ++outside;
                    QCOMPARE(v[i], 0.0f);
                } else {
                    ++inside;
                    nonzero += v[i] != 0.0f ? 1 : 0;
                    if (s[i] > 0.999f && (best < 0 || v[i] > v[static_cast<std::size_t>(best)])) {
                        best = static_cast<std::int64_t>(i);
                    }
                }
            }
            QVERIFY(outside > 0 && inside > 0);
            QVERIFY(nonzero > inside / 2);

            // The study map's maximum and the fine map's maximum lie in the coarse (C5)
            // maximum's cell: within half a cell (+ one study voxel) of its centre.
            const auto& g = study.geometry();
            const auto nx = g.size[0], ny = g.size[1];
            const io::Vec3 index{static_cast<double>(best % nx),
                                 static_cast<double>((best / nx) % ny),
                                 static_cast<double>(best / (nx * ny))};
            const auto studyMax = g.indexToPhysical(index);
            const auto& bg = pre.breast(side).geometry;
            const std::array<double, 3> cell{
                bg.spacing[0] * static_cast<double>(bg.size[0] / direct.coarse.size(0)),
                bg.spacing[1] * static_cast<double>(bg.size[1] / direct.coarse.size(1)),
                bg.spacing[2] * static_cast<double>(bg.size[2] / direct.coarse.size(2))};
            for (std::size_t a = 0; a < 3; ++a) {
                const double spacing = std::max({g.spacing[0], g.spacing[1], g.spacing[2]});
                QVERIFY2(std::abs(studyMax[a] - b.coarseMaximumMm[a]) <= cell[a] / 2 + spacing,
                         qPrintable(QString("axis %1: %2 vs %3")
                                        .arg(a)
                                        .arg(studyMax[a])
                                        .arg(b.coarseMaximumMm[a])));
                QVERIFY(std::abs(b.maximumMm[a] - b.coarseMaximumMm[a]) <= cell[a] / 2 + 1e-6);
            }
            const auto m = b.maximumIndex;
            QCOMPARE(b.breastMap.at(m[0], m[1], m[2]), b.maximum);
        }
    }

    void pointingScoreCountsKnownCases() {
        const PointingLesion lesion{{10, 20, 30}, 5.0};
        std::vector<PointingCase> cases(4);
        cases[0].probability = 0.9;  // correct, 2 mm from the centre: a hit
        cases[0].maximumMm = {12, 20, 30};
        cases[0].malignantLesions = {lesion};
        cases[1].probability = 0.8;  // correct, 20 mm away: a miss
        cases[1].maximumMm = {10, 40, 30};
        cases[1].malignantLesions = {{{100, 0, 0}, 3.0}, lesion};
        cases[2].probability = 0.3;  // missed by the classifier: not counted
        cases[2].maximumMm = {10, 20, 30};
        cases[2].malignantLesions = {lesion};
        cases[3].probability = 0.5;  // correct at the threshold, no lesion point: a miss
        cases[3].maximumMm = {10, 20, 30};
        auto s = pointingScore(cases);
        QCOMPARE(s.hits, std::int64_t(1));
        QCOMPARE(s.correct, std::int64_t(3));
        QCOMPARE(s.malignantBreasts, std::int64_t(4));
        QVERIFY(std::abs(s.fraction - 1.0 / 3.0) < 1e-12);
        QVERIFY(cases[0].hit && !cases[1].hit && !cases[2].hit && !cases[3].hit);
        QVERIFY(!cases[2].correct);
        QVERIFY(std::abs(cases[1].distanceMm - 20.0) < 1e-9);
        QCOMPARE(cases[3].distanceMm, -1.0);
        // A margin of 16 mm reaches the second case's maximum (20 ≤ 5 + 16).
        s = pointingScore(cases, 0.5, 16.0);
        QCOMPARE(s.hits, std::int64_t(2));
        // Nothing classified correctly: no fraction.
        s = pointingScore(cases, 0.95);
        QCOMPARE(s.correct, std::int64_t(0));
        QVERIFY(std::isnan(s.fraction));

        io::LesionPoint l;
        QCOMPARE(lesionRadiusMm(l, 7.0), 7.0);
        l.extra["radius_mm"] = "3";
        QCOMPARE(lesionRadiusMm(l, 7.0), 3.0);
        l.extra["diameter_mm"] = "8.0";
        QCOMPARE(lesionRadiusMm(l, 7.0), 4.0);
        l.extra["diameter_mm"] = "n/a";
        QCOMPARE(lesionRadiusMm(l, 7.0), 3.0);
    }

    void pointingOnCohortUsesTestFolds() {
        const auto cohort = io::Cohort::open(cohort_);
        const auto& result = pointing();
        std::int64_t malignant = 0;
        for (const auto& b : cohort.breasts()) {
            malignant += b.label == io::Label::Malignant ? 1 : 0;
        }
        QVERIFY(malignant > 0);
        QCOMPARE(static_cast<std::int64_t>(result.cases.size()), malignant);
        QCOMPARE(result.score.malignantBreasts, malignant);
        for (const auto& c : result.cases) {
            QCOMPARE(c.model, std::string(c.patientId == patients_[0] ? "fold1" : "fold2"));
            QVERIFY(!c.malignantLesions.empty());
            // The probability is the test fold's own.
            const auto& pre = pre_[c.patientId];
            auto& net = c.patientId == patients_[0] ? a_ : b_;
            QVERIFY(std::abs(c.probability - directProbability(net, pre.breast(c.side))) < 1e-5);
        }
        auto copy = result.cases;
        const auto again = pointingScore(copy);
        QCOMPARE(again.hits, result.score.hits);
        QCOMPARE(again.correct, result.score.correct);
        const auto j = result.toJson();
        QCOMPARE(j["cases"].size(), result.cases.size());
        QCOMPARE(j["hits"].get<std::int64_t>(), result.score.hits);

        // With fold 1 only, the patients fold 1 was trained on are left out.
        InferenceOptions only1;
        only1.fold = 0;
        auto fold1 = InferenceModel::load(run_, only1);
        const auto partial = evaluatePointing(fold1, cohort);
        for (const auto& c : partial.cases) {
            QCOMPARE(c.patientId, patients_[0]);
        }
        QVERIFY(!partial.notes.empty());
    }

    void badInputNamesTheFile() {
        const fs::path root = test::toPath(dir_.path());
        std::string message;
        QCOMPARE(errorOf([&] { InferenceModel::load(root / "nothing.pt"); }, &message),
                 io::ErrorCode::NotFound);
        QVERIFY(message.find("nothing.pt") != std::string::npos);

        writeText(root / "corrupt.pt", "this is not a checkpoint");
        QCOMPARE(errorOf([&] { InferenceModel::load(root / "corrupt.pt"); }, &message),
                 io::ErrorCode::Corrupt);
        QVERIFY(message.find("corrupt.pt") != std::string::npos);

        // Truncated: the first half of a real checkpoint.
        {
            std::ifstream in(checkpoint_, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), {});
            writeText(root / "truncated.pt", bytes.substr(0, bytes.size() / 2));
        }
        QCOMPARE(errorOf([&] { InferenceModel::load(root / "truncated.pt"); }, &message),
                 io::ErrorCode::Corrupt);
        QVERIFY(message.find("truncated.pt") != std::string::npos);

        fs::create_directories(root / "empty-folder");
        QCOMPARE(errorOf([&] { InferenceModel::load(root / "empty-folder"); }, &message),
                 io::ErrorCode::NotFound);
        QVERIFY(message.find("config.json") != std::string::npos);

        const json stage1 = {{"config", config_.toJson()}, {"stage", 1}, {"fold", 0}};
        saveCheckpoint(root / "stage1.pt", a_, nullptr, stage1);
        QCOMPARE(errorOf([&] { InferenceModel::load(root / "stage1.pt"); }, &message),
                 io::ErrorCode::Unsupported);
        QVERIFY(message.find("stage1.pt") != std::string::npos);

        InferenceOptions fold9;
        fold9.fold = 8;
        QCOMPARE(errorOf([&] { InferenceModel::load(run_, fold9); }, &message),
                 io::ErrorCode::InvalidArgument);

        // A run whose folds never finished.
        fs::create_directories(root / "unfinished" / "fold1");
        writeText(root / "unfinished" / "config.json", config_.toJson().dump());
        QCOMPARE(errorOf([&] { InferenceModel::load(root / "unfinished"); }, &message),
                 io::ErrorCode::NotFound);
        QVERIFY(message.find("unfinished") != std::string::npos);
    }

    void predictCommand() {
        const fs::path root = test::toPath(dir_.path());
        const auto csv = root / "predictions.csv";
        auto r = test::runCli({"predict", "--model", QString::fromStdString(checkpoint_.string()),
                               "--cohort", QString::fromStdString(cohort_.string()), "--out",
                               QString::fromStdString(csv.string()), "--threads", "2", "-q"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("AUROC") || r.out.contains("one class only"));
        const auto table = io::CsvTable::read(csv);
        QCOMPARE(table.rowCount(), std::size_t(6));
        auto model = InferenceModel::load(checkpoint_);
        const auto cohort = io::Cohort::open(cohort_);
        for (std::size_t i = 0; i < table.rowCount(); ++i) {
            const auto& row = table.row(i);
            const auto side = io::sideFromName(row[1]).value();
            const auto p = model.predict(pre_[row[0]]).breast(side).probability;
            QVERIFY(std::abs(std::stod(row[2]) - p) < 2e-6);
            const auto record = cohort.breast(row[0], side);
            QCOMPARE(row[3], std::string(io::labelName(record->label)));
        }

        // A study folder without channel files, a missing model: errors name them.
        fs::create_directories(root / "no-channels");
        r = test::runCli({"predict", "--model", QString::fromStdString(checkpoint_.string()),
                          "--study", QString::fromStdString((root / "no-channels").string())});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no-channels"), r.err.constData());
        r = test::runCli({"predict", "--model", QString::fromStdString((root / "gone").string()),
                          "--study", QString::fromStdString((cohort_ / patients_[0]).string())});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("gone"), r.err.constData());
        QVERIFY(!fs::exists(root / "gone"));
    }

    void camCommandWritesAlignedMaps() {
        const fs::path root = test::toPath(dir_.path());
        const auto out = root / "cam";
        const auto study = cohort_ / patients_[0];
        auto r = test::runCli({"cam", "--model", QString::fromStdString(run_.string()), "--study",
                               QString::fromStdString(study.string()), "--out",
                               QString::fromStdString(out.string()), "--threads", "2",
                               "--all-slices", "-q"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const char* f : {"cam.nii.gz", "cam_left.nii.gz", "cam_right.nii.gz", "cam_left.png",
                              "cam_right.png", "cam.json"}) {
            QVERIFY2(fs::exists(out / f), f);
        }
        const auto pre = io::findChannelFile(study, io::Channel::Pre);
        // nibabel: the maps have the study's shape and affine; PNGs are valid (CRC, size).
        const QString code = QStringLiteral(R"(
import sys, zlib, struct, glob, os, numpy as np, nibabel as nib
ref = nib.load(sys.argv[1]); out = sys.argv[2]
for name in ("cam.nii.gz", "cam_left.nii.gz", "cam_right.nii.gz"):
    img = nib.load(os.path.join(out, name))
    assert img.shape == ref.shape, (name, img.shape, ref.shape)
    assert np.allclose(img.affine, ref.affine, atol=1e-3), (name, img.affine, ref.affine)
    assert np.count_nonzero(np.asarray(img.dataobj)) > 0, name
pngs = glob.glob(os.path.join(out, "*.png")) + glob.glob(os.path.join(out, "slices", "*.png"))
for path in pngs:
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, (path, kind)
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
            assert body[8:10] == b"\x08\x02", path
        if kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    assert len(raw) == h * (1 + 3 * w), path
    px = np.frombuffer(raw, np.uint8).reshape(h, 1 + 3 * w)[:, 1:].reshape(h, w, 3)
    assert px.std() > 0, path
print(len(pngs))
)");
        const auto py = test::runPython(
            code, {QString::fromStdString(pre.string()), QString::fromStdString(out.string())});
        QVERIFY2(py.exitCode == 0, py.err.constData());
        const auto slices = io::readImage(pre).geometry().size[2];
        QCOMPARE(py.out.trimmed().toInt(), static_cast<int>(2 + slices));

        // The maps are the API's, for the fold that tested this patient.
        auto model = InferenceModel::load(run_);
        const auto choice = model.choose(patients_[0], true);
        const auto cam = model.cam(pre_[patients_[0]], choice.model);
        const auto written = io::readImage(out / "cam.nii.gz");
        QVERIFY(written.geometry().sameGrid(cam.studyMap.geometry(), 1e-3));
        double worst = 0.0;
        for (std::size_t i = 0; i < written.voxels().size(); ++i) {
            worst = std::max(worst, static_cast<double>(
                                        std::abs(written.voxels()[i] - cam.studyMap.voxels()[i])));
        }
        QVERIFY(worst < 1e-5);

        // Pointing score on the cohort: printed as k of n and written as JSON.
        r = test::runCli({"cam", "--model", QString::fromStdString(run_.string()), "--cohort",
                          QString::fromStdString(cohort_.string()), "--pointing", "--out",
                          QString::fromStdString((root / "pointing").string()), "-q"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("CAM pointing score"), r.out.constData());
        std::ifstream in(root / "pointing" / "pointing.json");
        json j;
        in >> j;
        QVERIFY(j.contains("pointing_score") && j.contains("hits") && j["cases"].is_array());
        const auto& direct = pointing();
        QCOMPARE(j["hits"].get<std::int64_t>(), direct.score.hits);
        QCOMPARE(j["correct_malignant_breasts"].get<std::int64_t>(), direct.score.correct);
    }
};

QTEST_GUILESS_MAIN(TestInference)
#include "TestInference.moc"
