// Writes the same run to a local directory and to an s3:// URL, two inputs:
//   s3_write_pair LOCAL_DIR s3://bucket/prefix/run
//     every kind that goes to event files, fixed wall times, sub-runs: for
//     tests/s3/readback_boto3.py;
//   s3_write_pair --live LOCAL_DIR s3://bucket/prefix/run
//     in steps driven from stdin, for viewer/tests/s3_view_equal.py's reload check: each input
//     line "N" logs N more scalars and histograms to both writers, flushes both (a new segment
//     object on S3, bytes appended to the local file) and answers "ok <steps>" on stdout; EOF
//     closes both writers.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tblog/s3.hpp"

namespace {

void log_run(tblog::SummaryWriter& w) {
    for (int i = 0; i < 200; ++i) {
        w.add_scalar("loss", 1.0 / (i + 1), i, 1000.0 + i);
        if (i % 50 == 49) w.flush();  // several segments on S3
    }
    w.add_text("note", "hello *s3*", 3, 2000.0);
    std::vector<float> v(500);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::cos(0.02f * static_cast<float>(i));
    w.add_histogram("weights", tblog::TensorView(v.data(), {static_cast<std::int64_t>(v.size())}), 7, "tensorflow",
                    2001.0);
    std::vector<float> img(3 * 8 * 8, 0.5f);
    w.add_image("img", tblog::TensorView(img.data(), {3, 8, 8}), 1, 2002.0);
    w.add_scalars("pair", {{"a", 1.0}, {"b", 2.0}}, 1, 2003.0);
}

void log_live(tblog::SummaryWriter& local, tblog::SummaryWriter& remote) {
    int step = 0;
    std::vector<float> v(64);
    for (std::string line; std::getline(std::cin, line);) {
        for (int i = std::stoi(line); i > 0; --i, ++step) {
            const double wall = 1000.0 + step;  // the same wall times in both copies
            for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(k * step % 17);
            for (auto* w : {&local, &remote}) {
                w->add_scalar("live/loss", 1.0 / (step + 1), step, wall);
                w->add_histogram("live/w", tblog::TensorView(v.data(), {64}), step, "tensorflow", wall);
            }
        }
        local.flush();
        remote.flush();
        std::cout << "ok " << step << std::endl;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bool live = argc == 4 && std::strcmp(argv[1], "--live") == 0;
    if (argc != 3 && !live) {
        std::fprintf(stderr, "usage: s3_write_pair [--live] LOCAL_DIR s3://bucket/prefix/run\n");
        return 2;
    }
    try {
        tblog::SummaryWriter local(argv[argc - 2]);
        tblog::SummaryWriter remote(argv[argc - 1]);
        if (live) {
            log_live(local, remote);
        } else {
            log_run(local);
            log_run(remote);
        }
        remote.close();
        local.close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
