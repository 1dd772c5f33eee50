// The prepared (preprocessed, cached) cohort and the datasets built on it.
#include "TinyCohort.h"
#include "breastmsc/io/Cohort.h"
#include "breastmsc/io/Error.h"
#include "breastmsc/ml/PreparedCohort.h"
#include "breastmsc/ml/TrainingData.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <numeric>

using namespace bmsc;
using namespace bmsc::ml;
namespace fs = std::filesystem;

class TestPreparedCohort : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    fs::path cohort_;
    TrainingConfig config_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        cohort_ = fs::path(dir_.path().toStdString()) / "cohort";
        bmsc::test::makeTinyCohort(cohort_, 3);
        config_ = bmsc::test::tinyConfig();
    }

    void preparesEveryBreastWithItsLesions() {
        const auto cache = fs::path(dir_.path().toStdString()) / "cache1";
        std::vector<std::string> notes;
        const auto prepared = PreparedCohort::prepare(cohort_, config_.preprocess, cache,
                                                      config_.cacheMegabytes, nullptr, &notes);
        QVERIFY(!prepared->reusedCache());
        const auto source = io::Cohort::open(cohort_);
        QCOMPARE(prepared->breasts().size(), std::size_t(6));
        QCOMPARE(prepared->patients(), source.patients());
        std::size_t lesionCount = 0;
        for (std::size_t i = 0; i < prepared->breasts().size(); ++i) {
            const auto& b = prepared->breasts()[i];
            QCOMPARE(b.shape, (std::array<std::int64_t, 4>{6, 64, 64, 8}));
            QCOMPARE(b.label, source.breast(b.patientId, b.side)->label);
            QVERIFY(fs::exists(b.file));
            const auto t = prepared->load(i);
            QCOMPARE(t.sizes().vec(), (std::vector<std::int64_t>{6, 64, 64, 8}));
            QVERIFY(torch::isfinite(t).all().item<bool>());
            QVERIFY(t.abs().sum().item<double>() > 0);
            for (const auto& l : b.lesions) {
                for (int d = 0; d < 3; ++d) {
                    QVERIFY(std::llround(l.index[d]) >= 0 &&
                            std::llround(l.index[d]) < b.shape[d + 1]);
                }
                QVERIFY(l.diameterMm > 0);  // the generator writes diameter_mm
                // The lesion lies on the image: the post-contrast channels enhance there.
            }
            lesionCount += b.lesions.size();
            // A malignant breast has a malignant lesion.
            if (b.label == io::Label::Malignant) {
                QVERIFY(std::any_of(b.lesions.begin(), b.lesions.end(),
                                    [](const auto& l) { return l.label == io::Label::Malignant; }));
            }
        }
        // Every lesion of lesions.csv is either on its breast grid or named in a note.
        const auto outside = std::count_if(notes.begin(), notes.end(), [](const auto& n) {
            return n.find("outside the breast crop") != std::string::npos;
        });
        QCOMPARE(lesionCount + static_cast<std::size_t>(outside), source.lesions().size());
        QVERIFY(prepared->cachedBytes() <= config_.cacheMegabytes * 1024 * 1024);
        QVERIFY(prepared->cachedBytes() > 0);
        QCOMPARE(prepared->breastsOf({source.patients()[1]}).size(), std::size_t(2));

        // Second time: the cache is reused and gives the same tensors.
        const auto again =
            PreparedCohort::prepare(cohort_, config_.preprocess, cache, config_.cacheMegabytes);
        QVERIFY(again->reusedCache());
        QCOMPARE(again->hash(), prepared->hash());
        QVERIFY(torch::equal(again->load(3), prepared->load(3)));
        // Other options: another hash, the cache is rebuilt.
        auto other = config_.preprocess;
        other.skinMarginMm += 1.0;
        QVERIFY(PreparedCohort::contentHash(cohort_, other) != prepared->hash());
        // A changed cohort.csv changes the hash.
        {
            std::ofstream out(cohort_ / "cohort.csv", std::ios::app);
            out << "\n";
        }
        QVERIFY(PreparedCohort::contentHash(cohort_, config_.preprocess) != prepared->hash());
    }

    void lruCacheStaysBounded() {
        const auto cache = fs::path(dir_.path().toStdString()) / "cache1";
        const std::int64_t breastBytes = 6 * 64 * 64 * 8 * 4;  // 768 KiB
        // 2 MiB hold two breasts: loading all six evicts the least recently used ones.
        const auto small = PreparedCohort::prepare(cohort_, config_.preprocess, cache, 2);
        const auto big = PreparedCohort::prepare(cohort_, config_.preprocess, cache, 64);
        for (int round = 0; round < 3; ++round) {
            for (std::size_t i = 0; i < small->breasts().size(); ++i) {
                QVERIFY(torch::equal(small->load(i), big->load(i)));
                QVERIFY(small->cachedBytes() <= 2 * 1024 * 1024);
            }
        }
        QCOMPARE(small->cachedBytes(), 2 * breastBytes);
        QCOMPARE(big->cachedBytes(), 6 * breastBytes);
    }

    void datasets() {
        const auto cache = fs::path(dir_.path().toStdString()) / "cache1";
        const auto prepared = PreparedCohort::prepare(cohort_, config_.preprocess, cache, 64);
        std::vector<std::size_t> all(prepared->breasts().size());
        std::iota(all.begin(), all.end(), std::size_t(0));
        std::vector<std::string> notes;
        const auto s1 = stage1Samples(*prepared, all, 0.5, &notes);
        std::size_t lesions = 0;
        for (const auto& b : prepared->breasts()) {
            lesions += b.lesions.size();
        }
        QVERIFY(lesions > 0);
        const auto background =
            static_cast<std::size_t>(std::llround(0.5 * static_cast<double>(lesions)));
        QCOMPARE(s1.size(), lesions + background);
        ItemOptions options;
        options.patchSize = config_.patchSize;
        for (const auto& s : s1) {
            for (bool training : {false, true}) {
                options.training = training;
                const auto [x, y] = makeItem(*prepared, s, options, 42);
                QCOMPARE(x.sizes().vec(), (std::vector<std::int64_t>{6, 64, 64, 4}));
                if (s.kind == SampleKind::BackgroundPatch) {
                    QCOMPARE(y, 0);
                }
                if (s.kind == SampleKind::LesionPatch && s.target == 1) {
                    QCOMPARE(y, 1);  // its own malignant centre is always inside
                }
                // Same seed, same item (augmentation included).
                QVERIFY(torch::equal(x, makeItem(*prepared, s, options, 42).first));
            }
        }
        const auto s2 = stage2Samples(*prepared, all);
        QCOMPARE(s2.size(), std::size_t(6));
        options.training = true;
        const auto [whole, label] = makeItem(*prepared, s2[0], options, 1);
        QCOMPARE(whole.sizes().vec(), (std::vector<std::int64_t>{6, 64, 64, 8}));
        QCOMPARE(label, prepared->breasts()[s2[0].breast].target());
    }

    void patientWithoutLesionsIsSkippedWithANote() {
        const auto folder = fs::path(dir_.path().toStdString()) / "nolesion";
        fs::copy(cohort_, folder, fs::copy_options::recursive);
        auto cohort = io::Cohort::open(folder);
        const auto victim = cohort.patients().front();
        std::erase_if(cohort.lesions(), [&](const auto& l) { return l.patientId == victim; });
        // Keep labels consistent: the patient's breasts become benign.
        for (auto& b : cohort.breasts()) {
            if (b.patientId == victim) {
                b.label = io::Label::Benign;
            }
        }
        cohort.save();
        const auto prepared = PreparedCohort::prepare(
            folder, config_.preprocess, fs::path(dir_.path().toStdString()) / "cache2", 64);
        std::vector<std::string> notes;
        const auto s1 = stage1Samples(*prepared, prepared->breastsOf({victim}), 0.0, &notes);
        QVERIFY(s1.empty());
        QCOMPARE(notes.size(), std::size_t(1));
        QVERIFY(notes[0].find(victim) != std::string::npos);
    }

    void emptyCohortIsAClearError() {
        const auto folder = fs::path(dir_.path().toStdString()) / "empty";
        io::Cohort::create(folder).save();
        try {
            PreparedCohort::prepare(folder, config_.preprocess, folder / "cache", 64);
            QFAIL("no error for an empty cohort");
        } catch (const io::IoError& e) {
            QCOMPARE(e.code(), io::ErrorCode::InvalidValue);
            QVERIFY(std::string(e.what()).find("no patients") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestPreparedCohort)
#include "TestPreparedCohort.moc"
