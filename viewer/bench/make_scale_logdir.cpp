// Writes the scale benchmark's logdir with tblog::SummaryWriter: RUNS runs (run_<r>) x TAGS tags
// (train|eval|system/metric_<t>) x POINTS steps, the same curves (decay, noise, rare spikes) as
// web/tests/make-perf-logdir.mjs writes, ~100x faster (1,000 x 20 x 1,000 in seconds).
//   make_scale_logdir DIR [TAGS RUNS POINTS]      (default 20 1000 1000)
#include <tblog/writer.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: make_scale_logdir DIR [TAGS RUNS POINTS]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const int tags = argc > 2 ? std::stoi(argv[2]) : 20;
    const int runs = argc > 3 ? std::stoi(argv[3]) : 1000;
    const long points = argc > 4 ? std::stol(argv[4]) : 1000;
    const char* groups[] = {"train", "eval", "system"};
    for (int r = 0; r < runs; ++r) {
        tblog::SummaryWriter w(dir + "/run_" + std::to_string(r));
        std::vector<std::string> names;
        for (int t = 0; t < tags; ++t) names.push_back(std::string(groups[t % 3]) + "/metric_" + std::to_string(t));
        for (long i = 0; i < points; ++i)
            for (int t = 0; t < tags; ++t) {
                const int seed = r * 1000 + t;
                std::uint32_t x = static_cast<std::uint32_t>(i + 1) * 2654435761u ^ static_cast<std::uint32_t>(seed + 7) * 40503u;
                x = (x ^ (x >> 13)) * 1274126177u;
                const double spike = (i + seed * 37L) % 9973 == 0 ? 2 + seed % 3 : 0;
                const double v = (0.6 + 0.25 * r) / (1 + static_cast<double>(i) / (800.0 * (1 + r))) +
                                 0.04 * (x / 4294967296.0 - 0.5) + spike + (seed % 7) * 0.01;
                w.add_scalar(names[static_cast<std::size_t>(t)], v, i, 1.7e9 + static_cast<double>(i));
            }
    }
    std::printf("%d runs x %d tags x %ld points in %s\n", runs, tags, points, dir.c_str());
}
