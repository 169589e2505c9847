// Per-op overhead of LibTorch op profiling: tblog::TorchOpRecorder beside LibTorch's own
// profiler (torch::autograd::profiler legacy API: Debian's libtorch 1.13 has no Kineto), on
// the same tiny op (a.add_(b) on 4-element tensors, so the hooks dominate).
//   overhead = (time per op while profiling - time per op unprofiled), median of 30 runs
//   of 20k ops each, after warm-up.
// The target: tblog's per-op overhead <= LibTorch's profiler's.
#include <tblog/torch.hpp>

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

static double ns_per_op(const std::function<void()>& setup, const std::function<void()>& teardown) {
    auto a = torch::ones({4}), b = torch::ones({4});
    constexpr int kOps = 20000, kRuns = 30;
    std::vector<double> v;
    for (int r = 0; r < kRuns + 3; ++r) {
        setup();
        const auto t0 = Clock::now();
        for (int i = 0; i < kOps; ++i) a.add_(b);
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kOps;
        teardown();
        if (r >= 3) v.push_back(ns);
    }
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char** argv) {
    const fs::path root = argc > 1 ? argv[1] : (fs::temp_directory_path() / "tblog-bench-torch-ops");
    fs::remove_all(root);
    torch::NoGradGuard no_grad;
    at::set_num_threads(1);
    const auto nothing = [] {};
    const double base = ns_per_op(nothing, nothing);

    tblog::ProfilerOptions po;
    po.sample_interval = std::chrono::milliseconds(0);
    po.max_buffer_mb = 2048;
    po.write_xspace = false;
    const auto tblog_run = [&](bool shapes) {
        tblog::Profiler prof(root.string(), "1000000000,1000000001", po);  // starts idle
        tblog::TorchOpRecorder ops(prof, {shapes});
        return ns_per_op([&] { prof.start(); }, [&] { prof.stop(); });
    };
    const double ours = tblog_run(false), ours_shapes = tblog_run(true);
    using namespace torch::profiler::impl;
    const auto legacy_run = [&](bool shapes) {
        return ns_per_op([&] { torch::autograd::profiler::enableProfilerLegacy(ProfilerConfig(ProfilerState::CPU, shapes)); },
                         [] { torch::autograd::profiler::disableProfilerLegacy(); });
    };
    const double theirs = legacy_run(false), theirs_shapes = legacy_run(true);

    std::printf("| profiler | time per a.add_(b) (ns) | overhead per op (ns) |\n|---|---|---|\n");
    std::printf("| none | %.0f | - |\n", base);
    std::printf("| tblog::TorchOpRecorder | %.0f | %.0f |\n", ours, ours - base);
    std::printf("| tblog::TorchOpRecorder, record_shapes | %.0f | %.0f |\n", ours_shapes, ours_shapes - base);
    std::printf("| LibTorch profiler (legacy, CPU) | %.0f | %.0f |\n", theirs, theirs - base);
    std::printf("| LibTorch profiler (legacy, CPU), record_shapes | %.0f | %.0f |\n", theirs_shapes, theirs_shapes - base);
    fs::remove_all(root);
    return 0;
}
