// RustingSword/tensorboard_logger (the best-known C++ TensorBoard logger) under the protocol
// of bench_scalars / bench_summaries. It takes encoded images and audio, so the caller
// encodes them here as its README shows (libpng, default settings; a 16-bit PCM WAV).
// It has no video. Built by run.sh from the peer's public source in a scratch directory.
#include <png.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tensorboard_logger.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static std::string png_rgb(const std::vector<std::uint8_t>& hwc, int w, int h) {
    png_image im;
    std::memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    im.width = static_cast<png_uint_32>(w);
    im.height = static_cast<png_uint_32>(h);
    im.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    png_image_write_to_memory(&im, nullptr, &size, 0, hwc.data(), 0, nullptr);
    std::string out(size, '\0');
    png_image_write_to_memory(&im, &out[0], &size, 0, hwc.data(), 0, nullptr);
    out.resize(size);
    return out;
}

static std::string wav16(const std::vector<float>& s, int rate) {
    auto u32 = [](std::string& o, std::uint32_t v) { o.append(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [](std::string& o, std::uint16_t v) { o.append(reinterpret_cast<const char*>(&v), 2); };
    std::string o = "RIFF";
    u32(o, static_cast<std::uint32_t>(36 + 2 * s.size()));
    o += "WAVEfmt ";
    u32(o, 16), u16(o, 1), u16(o, 1), u32(o, rate), u32(o, rate * 2), u16(o, 2), u16(o, 16);
    o += "data";
    u32(o, static_cast<std::uint32_t>(2 * s.size()));
    for (float v : s) u16(o, static_cast<std::uint16_t>(static_cast<std::int16_t>(std::clamp(v, -1.0f, 1.0f) * 32767)));
    return o;
}

int main(int argc, char** argv) {
    const fs::path root = argc > 1 ? argv[1] : fs::temp_directory_path() / "tblog-bench-peer";
    fs::remove_all(root);
    fs::create_directories(root);
    std::printf("| call (RustingSword/tensorboard_logger) | median | p99 / min |\n|---|---|---|\n");
    {
        fs::create_directories(root / "scalars");
        TensorBoardLogger log((root / "scalars" / "events.out.tfevents.0.peer").string());
        std::vector<double> per_call;
        int step = 0;
        for (int b = 0; b < 2200; ++b) {
            const auto t0 = Clock::now();
            for (int i = 0; i < 1000; ++i, ++step) log.add_scalar("loss/train", step, 0.001f * i);
            if (b >= 200) per_call.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 1000);
        }
        std::sort(per_call.begin(), per_call.end());
        std::printf("| add_scalar, caller cost (ns/call) | %.0f | %.0f |\n", per_call[per_call.size() / 2],
                    per_call[per_call.size() * 99 / 100]);
        std::fflush(stdout);
    }
    auto e2e = [&](const char* what, const std::function<void(TensorBoardLogger&, int)>& call) {
        std::vector<double> ms;
        for (int r = 0; r < 5; ++r) {
            const fs::path dir = root / ("run" + std::to_string(r));
            fs::create_directories(dir);
            const auto t0 = Clock::now();
            {
                TensorBoardLogger log((dir / "events.out.tfevents.0.peer").string());
                for (int i = 0; i < 20; ++i) call(log, i);
            }  // the destructor flushes and closes
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / 20);
            fs::remove_all(dir);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("| %s | %.2f | %.2f |\n", what, ms[ms.size() / 2], ms.front());
        std::fflush(stdout);
    };
    std::mt19937 rng(0);
    std::vector<float> normal(1'000'000);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (auto& x : normal) x = nd(rng);
    e2e("add_histogram, 1M float32 N(0,1), default bins (ms/call, 20 + close)",
        [&](TensorBoardLogger& l, int i) { l.add_histogram("h", i, normal); });
    std::vector<float> img(3 * 512 * 512);
    std::normal_distribution<float> noise(0.0f, 0.02f);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 512; ++y)
            for (int x = 0; x < 512; ++x)
                img[static_cast<std::size_t>((c * 512 + y) * 512 + x)] =
                    0.5f + 0.3f * std::sin(x / (40.0f + 10 * c)) * std::cos(y / 57.0f) + noise(rng);
    e2e("add_image, 512x512x3 float32 CHW photo-like, caller converts + libpng (ms/call, 20 + close)",
        [&](TensorBoardLogger& l, int i) {
            std::vector<std::uint8_t> hwc(img.size());
            for (int y = 0; y < 512; ++y)
                for (int x = 0; x < 512; ++x)
                    for (int c = 0; c < 3; ++c)
                        hwc[static_cast<std::size_t>((y * 512 + x) * 3 + c)] = static_cast<std::uint8_t>(
                            std::clamp(img[static_cast<std::size_t>((c * 512 + y) * 512 + x)] * 255.0f, 0.0f, 255.0f));
            l.add_image("img", i, png_rgb(hwc, 512, 512), 512, 512, 3);
        });
    std::vector<float> snd(44100);
    for (std::size_t i = 0; i < snd.size(); ++i) snd[i] = 0.5f * std::sin(static_cast<float>(i) * 0.0627f);
    e2e("add_audio, 44100 float32 samples, caller writes the WAV (ms/call, 20 + close)",
        [&](TensorBoardLogger& l, int i) { l.add_audio("snd", i, wav16(snd, 44100), 44100, 1, 44100, "audio/wav"); });
    std::printf("| add_video | n/a: the peer has no video | |\n");
    fs::remove_all(root);
    return 0;
}
