#include "breastmsc/ml/FusedAdam.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>

namespace bmsc::ml {

namespace {

/// The key under which torch::optim::Adam keeps a parameter's state: the TensorImpl pointer
/// printed as text in LibTorch 1.x, the pointer itself in 2.x.
template <typename StateMap>
typename StateMap::key_type stateKey(const StateMap&, const torch::Tensor& p) {
    using Key = typename StateMap::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream text;  // as c10::guts::to_string prints a pointer
        text << p.unsafeGetTensorImpl();
        return text.str();
    } else {
        return static_cast<Key>(p.unsafeGetTensorImpl());
    }
}

bool fusable(const torch::Tensor& t) {
    return t.defined() && t.is_cpu() && t.layout() == torch::kStrided &&
           t.scalar_type() == torch::kFloat && t.is_contiguous();
}

/// The update of `update` on n elements, pointers that do not alias: a plain function, so that
/// the loop vectorises also when it runs inside an OpenMP region (called through a lambda's
/// captures it lost the restrict and ran at half speed).
void updateRange(float* __restrict p, const float* __restrict g, float* __restrict m,
                 float* __restrict v, std::int64_t n, float beta1, float beta2, float oneMinusBeta1,
                 float oneMinusBeta2, float stepSize, float sqrtCorrection2, float eps) {
    for (std::int64_t i = 0; i < n; ++i) {
        const float gi = g[i];
        const float mi = m[i] * beta1 + oneMinusBeta1 * gi;
        const float vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] + (-stepSize) * (mi / (std::sqrt(vi) / sqrtCorrection2 + eps));
    }
}

/// One Adam update of n elements, as torch::optim::Adam computes it:
/// m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= (lr / bc1) · m / (√v / √bc2 + ε).
/// (This file is compiled with -fno-math-errno so that the square root vectorises.)
void update(float* p, const float* g, float* m, float* v, std::int64_t n, double beta1d,
            double beta2d, float stepSize, float sqrtCorrection2, float eps) {
    // 1 − β in double, then rounded, as Adam passes it to add_/addcmul_ (1 − 0.999f in float
    // would be 4.7e-5 off).
    const auto beta1 = static_cast<float>(beta1d);
    const auto beta2 = static_cast<float>(beta2d);
    const auto oneMinusBeta1 = static_cast<float>(1.0 - beta1d);
    const auto oneMinusBeta2 = static_cast<float>(1.0 - beta2d);
    at::parallel_for(0, n, 32768, [&](std::int64_t begin, std::int64_t end) {
        updateRange(p + begin, g + begin, m + begin, v + begin, end - begin, beta1, beta2,
                    oneMinusBeta1, oneMinusBeta2, stepSize, sqrtCorrection2, eps);
    });
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure) {
    // All or nothing, so that one step never mixes the two paths' rounding.
    for (const auto& group : param_groups_) {
        const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
        if (o.weight_decay() != 0.0 || o.amsgrad()) {
            return Adam::step(std::move(closure));
        }
        for (const auto& p : group.params()) {
            if (p.grad().defined() && (!fusable(p) || !fusable(p.grad()))) {
                return Adam::step(std::move(closure));
            }
        }
    }
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure != nullptr) {
        at::AutoGradMode enableGrad(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
        const double beta1 = std::get<0>(o.betas());
        const double beta2 = std::get<1>(o.betas());
        for (auto& p : group.params()) {
            const auto& grad = p.grad();
            if (!grad.defined()) {
                continue;
            }
            // Adam's own key and lazily created state (torch/csrc/api/src/optim/adam.cpp).
            const auto key = stateKey(state_, p);
            auto found = state_.find(key);
            if (found == state_.end()) {
                auto fresh = std::make_unique<torch::optim::AdamParamState>();
                fresh->step(0);
                fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                found = state_.emplace(key, std::move(fresh)).first;
            }
            auto& state = static_cast<torch::optim::AdamParamState&>(*found->second);
            auto& m = state.exp_avg();
            auto& v = state.exp_avg_sq();
            if (!fusable(m) || !fusable(v)) {
                m = m.contiguous().to(torch::kFloat);
                v = v.contiguous().to(torch::kFloat);
            }
            state.step(state.step() + 1);
            const double correction1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
            const double correction2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
            update(p.data_ptr<float>(), grad.data_ptr<float>(), m.data_ptr<float>(),
                   v.data_ptr<float>(), p.numel(), beta1, beta2,
                   static_cast<float>(o.lr() / correction1),
                   static_cast<float>(std::sqrt(correction2)), static_cast<float>(o.eps()));
            // As Adam's in-place operations do: autograd sees that these tensors changed.
            for (auto* changed : {&p, &m, &v}) {
                changed->unsafeGetTensorImpl()->bump_version();
            }
        }
    }
    return loss;
}

void clearGradients(torch::optim::Optimizer& optimizer) {
    for (auto& group : optimizer.param_groups()) {
        for (auto& p : group.params()) {
            p.mutable_grad() = torch::Tensor();
        }
    }
}

}  // namespace bmsc::ml
