// What one add_histogram / add_image / add_video / add_audio call costs.
//   Table 1, the calling thread: building the Summary (bucketing, pixel conversion, PNG/GIF
//   encoding; the writer thread's disk work is not on it). Median and min wall time over
//   repeated calls after a warm-up, and the median CPU time of the calling thread (the
//   better number on a busy machine).
//   Table 2, end to end: a fresh writer, 20 calls, close() (everything on disk), per call;
//   median over 5 rounds. The same protocol as benchmarks/peers/ uses for PyTorch and the
//   C++ peer.
//
//   ./bench_summaries [repeats]
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <tblog/writer.hpp>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Timing {
    double median_ms, min_ms, cpu_median_ms;
};

// CPU time of this thread: robust when other processes share the cores.
static double thread_cpu_ms() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static Timing time_calls(int repeats, const std::function<void()>& call) {
    for (int i = 0; i < 3; ++i) call();  // warm-up
    std::vector<double> ms, cpu;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = Clock::now();
        const double c0 = thread_cpu_ms();
        call();
        cpu.push_back(thread_cpu_ms() - c0);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    return {ms[ms.size() / 2], ms.front(), cpu[cpu.size() / 2]};
}

static void row(const char* what, const char* target, Timing t) {
    std::printf("| %s | %.2f | %.2f | %.2f | %s |\n", what, t.median_ms, t.min_ms, t.cpu_median_ms, target);
    std::fflush(stdout);
}

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::stoi(argv[1]) : 31;
    const fs::path dir = fs::temp_directory_path() / "tblog-bench-summaries";
    fs::remove_all(dir);
    tblog::SummaryWriter w(dir.string(), "", std::nullopt, 1024);
    std::mt19937 rng(0);

    std::printf("| call (on the calling thread) | median (ms) | min (ms) | thread CPU median (ms) | target |\n");
    std::printf("|---|---|---|---|---|\n");

    std::vector<float> normal(1'000'000);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (auto& x : normal) x = nd(rng);
    std::int64_t step = 0;
    row("add_histogram, 1M float32 N(0,1), bins=\"tensorflow\"", "<= 1 ms",
        time_calls(repeats, [&] { w.add_histogram("h", normal, step++); }));
    {  // the default bins' two parts (detail/codecs/histogram.hpp), for the profile in README.md
        namespace h = tblog::detail::histo;
        const auto& ladder = h::TfLadder::get();
        std::vector<std::uint32_t> counts(ladder.slots());
        double sink = 0;
        row("  part: statistics pass (min, max, sums)", "-",
            time_calls(repeats, [&] { sink += h::scan(normal.data(), normal.size(), h::NoHook{}).sum; }));
        row("  part: counting pass (TfLadder::count)", "-", time_calls(repeats, [&] {
                std::fill(counts.begin(), counts.end(), 0u);
                ladder.count(normal.data(), normal.size(), counts.data());
            }));
        if (sink == 0.5) std::printf("(never)\n");  // keeps the statistics from being optimized away
    }
    row("add_histogram, 1M float32 N(0,1), bins=\"auto\"", "-",
        time_calls(repeats, [&] { w.add_histogram("h_auto", normal, step++, "auto"); }));

    // A photo-like 512x512 RGB float image in [0, 1] (CHW): smooth shapes plus sensor noise.
    std::vector<float> img(3 * 512 * 512);
    std::normal_distribution<float> noise(0.0f, 0.02f);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 512; ++y)
            for (int x = 0; x < 512; ++x) {
                const float v = 0.5f + 0.3f * std::sin(x / (40.0f + 10 * c)) * std::cos(y / 57.0f) + noise(rng);
                img[static_cast<std::size_t>((c * 512 + y) * 512 + x)] = v;
            }
    const tblog::TensorView chw(img.data(), {3, 512, 512});
    row("add_image, 512x512x3 float32 CHW (photo-like)", "<= 4 ms",
        time_calls(repeats, [&] { w.add_image("img", chw, step++); }));
    std::uniform_real_distribution<float> uni(0.0f, 1.0f);
    for (auto& v : img) v = uni(rng);
    row("add_image, 512x512x3 float32 CHW (uniform noise, incompressible)", "-",
        time_calls(repeats, [&] { w.add_image("noise", chw, step++); }));

    // Video (N, T, C, H, W) = (1, 16, 3, 64, 64) float in [0, 1], moving smooth pattern.
    std::vector<float> vid(16 * 3 * 64 * 64);
    for (int t = 0; t < 16; ++t)
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 64; ++y)
                for (int x = 0; x < 64; ++x)
                    vid[static_cast<std::size_t>(((t * 3 + c) * 64 + y) * 64 + x)] =
                        0.5f + 0.5f * std::sin((x + 2 * t) / (6.0f + c)) * std::cos(y / 9.0f);
    const tblog::TensorView clip(vid.data(), {1, 16, 3, 64, 64});
    row("add_video, (1, 16, 3, 64, 64) float32, 4 fps (GIF)", "<= 2 ms",
        time_calls(repeats, [&] { w.add_video("vid", clip, step++); }));
    // Audio: 1 s of 44.1 kHz mono float in [-1, 1].
    std::vector<float> snd(44100);
    for (std::size_t i = 0; i < snd.size(); ++i) snd[i] = 0.5f * std::sin(static_cast<float>(i) * 0.0627f);
    row("add_audio, 44100 float32 samples (WAV)", "<= 0.1 ms",
        time_calls(repeats, [&] { w.add_audio("snd", snd, step++); }));
    w.close();
    fs::remove_all(dir);

    // End to end, per call: 20 calls into a fresh writer, then close().
    std::printf("\n| call, end to end (20 calls + close, per call) | median (ms) | min (ms) | target |\n");
    std::printf("|---|---|---|---|\n");
    auto e2e = [&](const char* what, const char* target, const std::function<void(tblog::SummaryWriter&, int)>& call) {
        std::vector<double> ms;
        for (int round = 0; round < 5; ++round) {
            fs::remove_all(dir);
            const auto t0 = Clock::now();
            {
                tblog::SummaryWriter ew(dir.string());
                for (int i = 0; i < 20; ++i) call(ew, i);
                ew.close();
            }
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / 20);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("| %s | %.2f | %.2f | %s |\n", what, ms[ms.size() / 2], ms.front(), target);
        std::fflush(stdout);
    };
    e2e("add_histogram, 1M float32 N(0,1), default bins", "<= 1 ms",
        [&](tblog::SummaryWriter& ew, int i) { ew.add_histogram("h", normal, i); });
    for (auto& v : img) v = 0;  // back to the photo-like image
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 512; ++y)
            for (int x = 0; x < 512; ++x)
                img[static_cast<std::size_t>((c * 512 + y) * 512 + x)] =
                    0.5f + 0.3f * std::sin(x / (40.0f + 10 * c)) * std::cos(y / 57.0f) + noise(rng);
    e2e("add_image, 512x512x3 float32 CHW (photo-like)", "<= 4 ms",
        [&](tblog::SummaryWriter& ew, int i) { ew.add_image("img", chw, i); });
    e2e("add_video, (1, 16, 3, 64, 64) float32", "<= 2 ms",
        [&](tblog::SummaryWriter& ew, int i) { ew.add_video("vid", clip, i); });
    e2e("add_audio, 44100 float32 samples", "<= 0.1 ms",
        [&](tblog::SummaryWriter& ew, int i) { ew.add_audio("snd", snd, i); });
    fs::remove_all(dir);
    return 0;
}
