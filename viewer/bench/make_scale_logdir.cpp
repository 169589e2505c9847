// Writes the scale benchmark's logdir with tblog::SummaryWriter: RUNS runs (run_<r>) x TAGS tags
// (train|eval|system/metric_<t>) x POINTS steps, the same curves (decay, noise, rare spikes) as
// web/tests/make-perf-logdir.mjs writes, ~100x faster (1,000 x 20 x 1,000 in seconds).
//   make_scale_logdir DIR [TAGS RUNS POINTS] [--kinds N] [--image_size PX]
//     (default 20 1000 1000, no other kinds)
// --kinds N: a mixed logdir. Each run also gets, at N steps spread over [0, POINTS), every
// other kind the library writes, under kinds/...: a histogram (add_histogram, 1,000 values), an
// image (add_image, PX x PX RGB noise over a gradient, so its PNG does not compress away)
// and a 2 x 2 batch of PX/2 images (add_images), an audio clip (add_audio, PX * 32 samples at
// 8 kHz), a Markdown text with a table (add_text), a PR curve (add_pr_curve, 300
// predictions), a point cloud (add_mesh, PX * 2 coloured vertices); and once: the model graph
// (add_graph, 24 nodes), an embedding (add_embedding, 64 x 8 with labels), a custom-scalars
// layout of its first two scalar tags, and its hparams and metrics (add_hparams, a sub-run
// run_<r>/hparams). Every byte is a function of (run, step), so two calls write the same
// data (wall times aside where the library takes none: hparams, embedding files).
// --image_size PX (default 64, 8..1024) sizes the images, clips and clouds.
#include <tblog/writer.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A reproducible hash of (a, b) in [0, 1).
double unit(std::uint32_t a, std::uint32_t b) {
    std::uint32_t x = a * 2654435761u ^ (b + 7) * 40503u;
    x = (x ^ (x >> 13)) * 1274126177u;
    x ^= x >> 16;
    return x / 4294967296.0;
}

long parse_count(const char* what, const char* text, long lo, long hi) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (!*text || *end || v < lo || v > hi)
        throw std::invalid_argument(std::string("make_scale_logdir: ") + what + " expects an integer in [" +
                                    std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + text + "'");
    return v;
}

// Every non-scalar kind of one run at one step (see the header comment).
void write_kinds_at(tblog::SummaryWriter& w, int r, std::int64_t step, int px) {
    const double wall = 1.7e9 + static_cast<double>(step);
    const auto seed = static_cast<std::uint32_t>(r * 100003 + step);
    std::vector<float> values(1000);
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<float>((unit(seed, static_cast<std::uint32_t>(i)) - 0.5) * (2 + r % 3) +
                                       std::sin(static_cast<double>(step) / 50.0));
    w.add_histogram("kinds/weights", tblog::TensorView(values), step, "tensorflow", wall);

    std::vector<std::uint8_t> img(static_cast<std::size_t>(3 * px * px));
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < px; ++y)
            for (int x = 0; x < px; ++x) {
                const double g = (c == 0 ? x : c == 1 ? y : (x + y) / 2) * 160.0 / px;
                img[static_cast<std::size_t>((c * px + y) * px + x)] = static_cast<std::uint8_t>(
                    g + 95 * unit(seed, static_cast<std::uint32_t>((c * px + y) * px + x)));
            }
    w.add_image("kinds/image", tblog::TensorView(img.data(), {3, px, px}), step, wall);
    const int half = px / 2;
    std::vector<float> batch(static_cast<std::size_t>(4 * 3 * half * half));
    for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i] = static_cast<float>(unit(seed + 1, static_cast<std::uint32_t>(i)));
    w.add_images("kinds/batch", tblog::TensorView(batch.data(), {4, 3, half, half}), step, wall);

    std::vector<float> sound(static_cast<std::size_t>(px) * 32);
    for (std::size_t i = 0; i < sound.size(); ++i)
        sound[i] = static_cast<float>(0.5 * std::sin(2 * M_PI * (220 + 20 * (r % 10) + step % 100) * i / 8000.0) +
                                      0.2 * (unit(seed + 2, static_cast<std::uint32_t>(i)) - 0.5));
    w.add_audio("kinds/tone", tblog::TensorView(sound), step, 8000, wall);

    std::string text = "## run_" + std::to_string(r) + ", step " + std::to_string(step) + "\n\n| k | value |\n|---|---|\n";
    for (int k = 0; k < 12; ++k)
        text += "| " + std::to_string(k) + " | " + std::to_string(unit(seed + 3, static_cast<std::uint32_t>(k))) + " |\n";
    text += "\n*Generated* by `make_scale_logdir --kinds`.";
    w.add_text("kinds/notes", text, step, wall);

    std::vector<std::int64_t> labels(300);
    std::vector<float> preds(300);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        labels[i] = unit(seed + 4, static_cast<std::uint32_t>(i)) < 0.4;
        preds[i] = static_cast<float>(0.6 * unit(seed + 5, static_cast<std::uint32_t>(i)) + 0.4 * static_cast<double>(labels[i]));
    }
    w.add_pr_curve("kinds/pr", tblog::TensorView(labels), tblog::TensorView(preds), step, 127, std::nullopt, wall);

    const std::int64_t n = static_cast<std::int64_t>(px) * 2;
    std::vector<float> verts(static_cast<std::size_t>(n * 3)), colors(verts.size());
    for (std::size_t i = 0; i < verts.size(); ++i) {
        verts[i] = static_cast<float>(unit(seed + 6, static_cast<std::uint32_t>(i)) * 2 - 1);
        colors[i] = static_cast<float>(std::floor(255 * unit(seed + 7, static_cast<std::uint32_t>(i))));
    }
    w.add_mesh("kinds/cloud", tblog::TensorView(verts.data(), {1, n, 3}), tblog::TensorView(colors.data(), {1, n, 3}),
               std::nullopt, std::nullopt, step, wall);
}

// What a run gets once: its graph, an embedding, a custom-scalars layout and its hparams.
void write_kinds_once(tblog::SummaryWriter& w, int r, const std::vector<std::string>& scalar_tags) {
    std::vector<tblog::GraphNode> nodes{{"input/x", "IO Node", {}, {{32, 64}}, {{"attr", ""}}}};
    std::string prev = "input/x";
    for (int l = 0; l < 11; ++l) {
        const std::string scope = "Net/Linear[" + std::to_string(l) + "]/";
        nodes.push_back({scope + "weight", "prim::GetAttr", {}, {{64, 64}}, {{"attr", "{ name :  weight }"}}});
        nodes.push_back({scope + "out", "aten::linear", {prev, scope + "weight"}, {{32, 64}}, {{"attr", "{}"}}});
        prev = scope + "out";
    }
    nodes.push_back({"output/y", "IO Node", {prev}, {{32, 64}}, {{"attr", ""}}});
    w.add_graph(nodes, 1.7e9);

    std::vector<float> mat(64 * 8);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < mat.size(); ++i)
        mat[i] = static_cast<float>(unit(static_cast<std::uint32_t>(r) + 11, static_cast<std::uint32_t>(i)) + (i / 8) % 4);
    for (int i = 0; i < 64; ++i) names.push_back("cluster" + std::to_string(i % 4));
    w.add_embedding(tblog::TensorView(mat.data(), {64, 8}), names, std::nullopt, 0, "points");

    if (scalar_tags.size() >= 2) w.add_custom_scalars_multilinechart({scalar_tags[0], scalar_tags[1]}, "kinds", "first two");
    w.add_hparams({{"lr", 0.001 * (1 + r % 7)}, {"layers", 2 + r % 5}, {"optimizer", r % 2 ? "adam" : "sgd"}},
                  {{"hparam/accuracy", 0.5 + 0.4 * unit(static_cast<std::uint32_t>(r), 99)},
                   {"hparam/loss", 1.5 * unit(static_cast<std::uint32_t>(r), 98)}},
                  {}, "hparams");
}

}  // namespace

int main(int argc, char** argv) try {
    std::vector<const char*> pos;
    long kinds = 0, px = 64;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--kinds" && i + 1 < argc) {
            kinds = parse_count("--kinds", argv[++i], 0, 1000000);
        } else if (a == "--image_size" && i + 1 < argc) {
            px = parse_count("--image_size", argv[++i], 8, 1024);
        } else if (a.rfind("--", 0) == 0) {
            throw std::invalid_argument("make_scale_logdir: unknown option or missing value: " + a);
        } else {
            pos.push_back(argv[i]);
        }
    }
    if (pos.empty() || pos.size() > 4) {
        std::fprintf(stderr, "usage: make_scale_logdir DIR [TAGS RUNS POINTS] [--kinds N] [--image_size PX]\n");
        return 2;
    }
    const std::string dir = pos[0];
    const int tags = pos.size() > 1 ? static_cast<int>(parse_count("TAGS", pos[1], 0, 1000000)) : 20;
    const int runs = pos.size() > 2 ? static_cast<int>(parse_count("RUNS", pos[2], 1, 10000000)) : 1000;
    const long points = pos.size() > 3 ? parse_count("POINTS", pos[3], 1, 1L << 40) : 1000;
    const char* groups[] = {"train", "eval", "system"};
    std::vector<std::string> names;
    for (int t = 0; t < tags; ++t) names.push_back(std::string(groups[t % 3]) + "/metric_" + std::to_string(t));
    for (int r = 0; r < runs; ++r) {
        tblog::SummaryWriter w(dir + "/run_" + std::to_string(r));
        long next_kind = 0;  // index of the next of the `kinds` steps
        for (long i = 0; i < points; ++i) {
            for (int t = 0; t < tags; ++t) {
                const int seed = r * 1000 + t;
                std::uint32_t x = static_cast<std::uint32_t>(i + 1) * 2654435761u ^ static_cast<std::uint32_t>(seed + 7) * 40503u;
                x = (x ^ (x >> 13)) * 1274126177u;
                const double spike = (i + seed * 37L) % 9973 == 0 ? 2 + seed % 3 : 0;
                const double v = (0.6 + 0.25 * r) / (1 + static_cast<double>(i) / (800.0 * (1 + r))) +
                                 0.04 * (x / 4294967296.0 - 0.5) + spike + (seed % 7) * 0.01;
                w.add_scalar(names[static_cast<std::size_t>(t)], v, i, 1.7e9 + static_cast<double>(i));
            }
            // the kinds' steps: floor(k * POINTS / N) for k < N (distinct when N <= POINTS)
            while (next_kind < kinds && next_kind * points / kinds == i) {
                write_kinds_at(w, r, i, static_cast<int>(px));
                ++next_kind;
            }
        }
        for (; next_kind < kinds; ++next_kind) write_kinds_at(w, r, points + next_kind, static_cast<int>(px));
        if (kinds) write_kinds_once(w, r, names);
    }
    std::printf("%d runs x %d tags x %ld points", runs, tags, points);
    if (kinds) std::printf(", %ld steps of every other kind per run", kinds);
    std::printf(" in %s\n", dir.c_str());
} catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
}
