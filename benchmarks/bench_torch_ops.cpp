// Per-op overhead of LibTorch op profiling: tblog::TorchOpRecorder beside LibTorch's own
// profiler (torch::autograd::profiler legacy API: Debian's libtorch 1.13 has no Kineto), on
//   1. the same tiny op (a.add_(b) on 4-element tensors, so the hooks dominate), and
//   2. the same model: a training step of examples/libtorch_train.cpp's MLP (64-32-3, batch
//      64, cross entropy, backward, SGD with momentum): every op RecordFunction sees in it
//      (aten ops, autograd nodes, the optimizer), counted by a callback of our own.
//   overhead per op = (thread CPU time while profiling - unprofiled) / ops, median of 30 runs.
// The target: tblog's per-op overhead <= LibTorch's profiler's.
#include <tblog/torch.hpp>

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;

// CPU time of this thread (ops, autograd's CPU work and both profilers' hooks all run on it
// with one intra-op thread): robust when other processes share the cores.
static double thread_cpu_ns() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// Median over 30 runs (after 3 warm-ups) of the thread CPU time per call of `work`, called
// `calls` times between setup() and teardown().
static double ns_per_call(const std::function<void()>& work, int calls, const std::function<void()>& setup,
                          const std::function<void()>& teardown) {
    constexpr int kRuns = 30;
    std::vector<double> v;
    for (int r = 0; r < kRuns + 3; ++r) {
        setup();
        const double t0 = thread_cpu_ns();
        for (int i = 0; i < calls; ++i) work();
        const double ns = (thread_cpu_ns() - t0) / calls;
        teardown();
        if (r >= 3) v.push_back(ns);
    }
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// examples/libtorch_train.cpp's model and one of its training steps (fixed batch).
struct MlpImpl : torch::nn::Module {
    MlpImpl() : fc1(register_module("fc1", torch::nn::Linear(64, 32))), fc2(register_module("fc2", torch::nn::Linear(32, 3))) {}
    torch::Tensor forward(torch::Tensor x) { return fc2->forward(torch::relu(fc1->forward(x.flatten(1)))); }
    torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Mlp);

static std::atomic<long> g_ops{0};
static std::unique_ptr<at::ObserverContext> count_op(const at::RecordFunction&) {
    g_ops.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
}

// How many RecordFunction calls `work` makes (what either profiler records of it).
static long ops_in(const std::function<void()>& work) {
    g_ops = 0;
    const auto handle = at::addGlobalCallback(at::RecordFunctionCallback(count_op));
    work();
    at::removeCallback(handle);
    return g_ops.load();
}

int main(int argc, char** argv) {
    const fs::path root = argc > 1 ? argv[1] : (fs::temp_directory_path() / "tblog-bench-torch-ops");
    fs::remove_all(root);
    at::set_num_threads(1);
    const auto nothing = [] {};
    auto a = torch::ones({4}), b = torch::ones({4});
    constexpr int kAdds = 20000, kSteps = 20;
    const auto add = [&] { torch::NoGradGuard no_grad; a.add_(b); };
    torch::manual_seed(0);
    Mlp model;
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    const auto images = torch::rand({64, 1, 8, 8}), labels = torch::randint(0, 3, {64}, torch::kLong);
    const auto train_step = [&] {
        const auto loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    };
    train_step();  // momentum buffers exist from here on: every measured step is the same
    const long step_ops = ops_in(train_step);

    tblog::ProfilerOptions po;
    po.sample_interval = std::chrono::milliseconds(0);
    po.max_buffer_mb = 2048;
    po.write_xspace = false;
    // each case measures both workloads under the same profiler setup
    const auto measure = [&](const char* name, const std::function<void()>& setup, const std::function<void()>& teardown) {
        const double add_ns = ns_per_call(add, kAdds, setup, teardown);
        const double step_ns = ns_per_call(train_step, kSteps, setup, teardown);
        return std::tuple<std::string, double, double>{name, add_ns, step_ns};
    };
    std::vector<std::tuple<std::string, double, double>> rows;
    rows.push_back(measure("none", nothing, nothing));
    for (const bool shapes : {false, true}) {
        tblog::Profiler prof(root.string(), "1000000000,1000000001", po);  // starts idle
        tblog::TorchOpRecorder ops(prof, {shapes});
        rows.push_back(measure(shapes ? "tblog::TorchOpRecorder, record_shapes" : "tblog::TorchOpRecorder",
                               [&] { prof.start(); }, [&] { prof.stop(); }));
    }
    using namespace torch::profiler::impl;
    for (const bool shapes : {false, true})
        rows.push_back(measure(shapes ? "LibTorch profiler (legacy, CPU), record_shapes" : "LibTorch profiler (legacy, CPU)",
                               [&] { torch::autograd::profiler::enableProfilerLegacy(ProfilerConfig(ProfilerState::CPU, shapes)); },
                               [] { torch::autograd::profiler::disableProfilerLegacy(); }));

    const double base_add = std::get<1>(rows[0]), base_step = std::get<2>(rows[0]);
    std::printf("training step of the example's MLP: %ld ops (RecordFunction calls)\n\n", step_ops);
    std::printf("| profiler | a.add_(b) (ns) | overhead per op (ns) | MLP training step (us) | overhead per op (ns) |\n|---|---|---|---|---|\n");
    std::printf("| none | %.0f | - | %.1f | - |\n", base_add, base_step / 1e3);
    for (size_t i = 1; i < rows.size(); ++i) {
        const auto& [name, add_ns, step_ns] = rows[i];
        std::printf("| %s | %.0f | %.0f | %.1f | %.0f |\n", name.c_str(), add_ns, add_ns - base_add, step_ns / 1e3,
                    (step_ns - base_step) / static_cast<double>(step_ops));
    }
    fs::remove_all(root);
    return 0;
}
