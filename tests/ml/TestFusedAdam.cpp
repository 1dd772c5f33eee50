// FusedAdam against torch::optim::Adam: the same parameters and moments step for step, state
// that carries over between the two (checkpoints, resume), and Adam's own step where the fused
// one does not apply.
#include "breastmsc/ml/FusedAdam.h"

#include <torch/torch.h>

#include <QtTest>

#include <vector>

using namespace bmsc::ml;

namespace {

/// Three parameters: small, larger than one parallel chunk (32768), odd-sized.
std::vector<torch::Tensor> makeParameters() {
    torch::manual_seed(7);
    std::vector<torch::Tensor> ps;
    for (const std::int64_t n : {5, 70001, 1000}) {
        ps.push_back(torch::randn({n}).requires_grad_(true));
    }
    return ps;
}

std::vector<torch::Tensor> copyOf(const std::vector<torch::Tensor>& ps) {
    std::vector<torch::Tensor> out;
    for (const auto& p : ps) {
        out.push_back(p.detach().clone().requires_grad_(true));
    }
    return out;
}

/// Gradients for step `k`, the same for every copy: of a different scale per element, some
/// zero (Adam's denominator then rests on ε).
void setGradients(std::vector<torch::Tensor>& ps, int k) {
    for (std::size_t i = 0; i < ps.size(); ++i) {
        const auto n = ps[i].numel();
        auto g =
            torch::sin(torch::arange(n, torch::kFloat) * 0.37 + k * 1.3 + static_cast<double>(i)) *
            torch::exp(torch::linspace(-6, 2, n));
        g.index_put_({torch::arange(0, n, 11)}, 0.0);
        ps[i].mutable_grad() = g;
    }
}

void steps(torch::optim::Optimizer& optimizer, std::vector<torch::Tensor>& ps, int from, int to) {
    for (int k = from; k < to; ++k) {
        setGradients(ps, k);
        optimizer.step();
    }
}

bool close(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!torch::allclose(a[i], b[i], 1e-5, 1e-7)) {
            const auto at =
                ((a[i] - b[i]).abs() / (1e-7 + 1e-5 * b[i].abs())).argmax().item<std::int64_t>();
            qWarning("parameter %zu element %lld: %.9g vs %.9g", i, static_cast<long long>(at),
                     a[i][at].item<double>(), b[i][at].item<double>());
            return false;
        }
    }
    return true;
}

/// Saves `from`'s state and loads it into `to` (what a checkpoint does).
void transfer(torch::optim::Optimizer& from, torch::optim::Optimizer& to) {
    torch::serialize::OutputArchive out;
    from.save(out);
    std::ostringstream bytes;
    out.save_to(bytes);
    std::istringstream in(bytes.str());
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    to.load(archive);
}

}  // namespace

class TestFusedAdam : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void sameStepsAsAdam() {
        auto a = makeParameters();
        auto b = copyOf(a);
        const auto start = copyOf(a);
        torch::optim::Adam plain(a, torch::optim::AdamOptions(1e-2));
        FusedAdam fused(b, torch::optim::AdamOptions(1e-2));
        steps(plain, a, 0, 12);
        steps(fused, b, 0, 12);
        QVERIFY(close(a, b));
        QVERIFY(!torch::allclose(a[1], start[1]));  // the parameters did move
        // The moments too, under Adam's keys.
        for (std::size_t i = 0; i < a.size(); ++i) {
            const auto key = [](const torch::Tensor& p) {
                return c10::guts::to_string(p.unsafeGetTensorImpl());
            };
            const auto& sa =
                static_cast<const torch::optim::AdamParamState&>(*plain.state().at(key(a[i])));
            const auto& sb =
                static_cast<const torch::optim::AdamParamState&>(*fused.state().at(key(b[i])));
            QCOMPARE(sb.step(), std::int64_t(12));
            QVERIFY(torch::allclose(sa.exp_avg(), sb.exp_avg(), 1e-5, 1e-7));
            QVERIFY(torch::allclose(sa.exp_avg_sq(), sb.exp_avg_sq(), 1e-5, 1e-12));
        }
    }

    void stateCarriesOverBothWays() {
        // Adam for 4 steps, its state into FusedAdam for 4 more, and the other way round: both
        // equal Adam for 8. Keys or step counts that did not match would restart the moments.
        auto reference = makeParameters();
        torch::optim::Adam plain(reference, torch::optim::AdamOptions(1e-2));
        steps(plain, reference, 0, 8);

        auto a = makeParameters();
        torch::optim::Adam first(a, torch::optim::AdamOptions(1e-2));
        steps(first, a, 0, 4);
        FusedAdam second(a, torch::optim::AdamOptions(1e-2));
        transfer(first, second);
        steps(second, a, 4, 8);
        QVERIFY(close(a, reference));

        auto b = makeParameters();
        FusedAdam fusedFirst(b, torch::optim::AdamOptions(1e-2));
        steps(fusedFirst, b, 0, 4);
        torch::optim::Adam plainSecond(b, torch::optim::AdamOptions(1e-2));
        transfer(fusedFirst, plainSecond);
        steps(plainSecond, b, 4, 8);
        QVERIFY(close(b, reference));

        // Without the carried state the trajectory parts (what the checks above would catch).
        auto c = makeParameters();
        torch::optim::Adam restartFirst(c, torch::optim::AdamOptions(1e-2));
        steps(restartFirst, c, 0, 4);
        FusedAdam restarted(c, torch::optim::AdamOptions(1e-2));
        steps(restarted, c, 4, 8);
        QVERIFY(!torch::allclose(c[1], reference[1], 1e-5, 1e-7));
    }

    void othersTakeAdamsOwnStep() {
        // Weight decay is not fused: the step is Adam's own, bit for bit.
        auto a = makeParameters();
        auto b = copyOf(a);
        const auto options = torch::optim::AdamOptions(1e-2).weight_decay(0.1);
        torch::optim::Adam plain(a, options);
        FusedAdam fused(b, options);
        steps(plain, a, 0, 3);
        steps(fused, b, 0, 3);
        for (std::size_t i = 0; i < a.size(); ++i) {
            QVERIFY(torch::equal(a[i], b[i]));
        }
        // A parameter without a gradient is left alone, as Adam leaves it.
        auto c = makeParameters();
        const auto before = c[0].detach().clone();
        FusedAdam partial(c, torch::optim::AdamOptions(1e-2));
        setGradients(c, 0);
        c[0].mutable_grad() = torch::Tensor();
        partial.step();
        QVERIFY(torch::equal(c[0], before));
        QVERIFY(!torch::equal(c[2], copyOf(makeParameters())[2]));
    }

    void clearedGradientsGiveZeroedGradientsSteps() {
        // Backward through a small network after clearGradients() (fresh gradients) and after
        // zero_grad() (accumulated into zeroes): the same parameters, step for step.
        torch::manual_seed(9);
        torch::nn::Sequential a(torch::nn::Conv3d(torch::nn::Conv3dOptions(2, 4, 3).padding(1)),
                                torch::nn::LeakyReLU(), torch::nn::Flatten(),
                                torch::nn::Linear(4 * 4 * 4 * 2, 2));
        torch::nn::Sequential b(torch::nn::Conv3d(torch::nn::Conv3dOptions(2, 4, 3).padding(1)),
                                torch::nn::LeakyReLU(), torch::nn::Flatten(),
                                torch::nn::Linear(4 * 4 * 4 * 2, 2));
        {
            torch::NoGradGuard noGrad;
            for (std::size_t i = 0; i < a->parameters().size(); ++i) {
                b->parameters()[i].copy_(a->parameters()[i]);
            }
        }
        const auto initial = a->parameters()[0].detach().clone();
        FusedAdam cleared(a->parameters(), torch::optim::AdamOptions(1e-2));
        FusedAdam zeroed(b->parameters(), torch::optim::AdamOptions(1e-2));
        for (int k = 0; k < 4; ++k) {
            const auto x = torch::randn({3, 2, 4, 4, 2});
            const auto y = torch::tensor({0, 1, 1}, torch::kInt64);
            clearGradients(cleared);
            for (const auto& p : a->parameters()) {
                QVERIFY(!p.grad().defined());
            }
            zeroed.zero_grad();
            torch::nn::functional::cross_entropy(a->forward(x), y).backward();
            torch::nn::functional::cross_entropy(b->forward(x), y).backward();
            cleared.step();
            zeroed.step();
        }
        for (std::size_t i = 0; i < a->parameters().size(); ++i) {
            QVERIFY(torch::equal(a->parameters()[i], b->parameters()[i]));
        }
        QVERIFY(!torch::equal(a->parameters()[0], initial));  // the steps did move them
    }

    void versionCounterMoves() {
        // Autograd must see the in-place change, as it sees Adam's.
        auto a = makeParameters();
        FusedAdam fused(a, torch::optim::AdamOptions(1e-2));
        setGradients(a, 0);
        const auto before = a[1]._version();
        fused.step();
        QVERIFY(a[1]._version() > before);
    }
};

QTEST_GUILESS_MAIN(TestFusedAdam)
#include "TestFusedAdam.moc"
