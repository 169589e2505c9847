// Writes the same run (every kind that goes to event files, fixed wall times, sub-runs) to a
// local directory and to an s3:// URL: the input of tests/s3/readback_boto3.py.
//   s3_write_pair LOCAL_DIR s3://bucket/prefix/run
#include <cmath>
#include <cstdio>
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

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: s3_write_pair LOCAL_DIR s3://bucket/prefix/run\n");
        return 2;
    }
    try {
        tblog::SummaryWriter local(argv[1]);
        tblog::SummaryWriter remote(argv[2]);
        log_run(local);
        log_run(remote);
        remote.close();
        local.close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
