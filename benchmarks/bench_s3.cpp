// The S3 writer (tblog::s3) against a real store (Ceph RGW from tools/ceph_rgw.sh; S3_ENDPOINT
// and AWS_* set). Prints the table of benchmarks/README.md, "S3":
//   - caller cost of add_scalar with an s3:// logdir vs a local one (median of batches of 1000);
//   - sustained events/s into the bucket (add_scalar until close() has stored everything);
//   - bytes uploaded per byte logged, for tblog (segments, each byte once) and for a writer that
//     re-uploads the whole file at every flush, as PyTorch's SummaryWriter on s3:// does
//     (TensorBoard's S3 file layer cannot append), same flush schedule, computed from the sizes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tblog/s3.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double caller_ns(tblog::SummaryWriter& w) {
    std::vector<double> per_call;
    std::int64_t step = 0;
    for (int b = 0; b < 300; ++b) {
        const auto t0 = Clock::now();
        for (int i = 0; i < 1000; ++i, ++step) w.add_scalar("loss/train", 0.001 * i, step);
        per_call.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 1000);
    }
    std::sort(per_call.begin(), per_call.end());
    return per_call[per_call.size() / 2];
}

std::uint64_t bucket_bytes(const std::string& bucket, const std::string& prefix) {
    tblog::detail::s3::Client c(tblog::S3Options{});
    tblog::detail::s3::ListResult r;
    c.list_all(bucket, prefix, "", r);
    std::uint64_t n = 0;
    for (auto& o : r.objects) n += o.size;
    return n;
}

}  // namespace

int main() {
    const std::string bucket = "tblog-bench-" + std::to_string(std::time(nullptr));
    tblog::s3::create_bucket(bucket);
    const auto tmp = std::filesystem::temp_directory_path() / ("tblog-bench-s3-" + std::to_string(::getpid()));

    double local_ns, s3_ns;
    {
        tblog::SummaryWriter l(tmp.string() + "/caller");
        local_ns = caller_ns(l);
    }
    {
        tblog::SummaryWriter s("s3://" + bucket + "/caller");
        s3_ns = caller_ns(s);
    }

    // Sustained: 2M scalars, timed until close() returns (everything stored).
    const std::int64_t n = 2000000;
    const auto t0 = Clock::now();
    {
        tblog::SummaryWriter s("s3://" + bucket + "/sustained");
        for (std::int64_t i = 0; i < n; ++i) s.add_scalar("loss/train", 0.5, i);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();

    // Bytes: a run flushed every 1000 steps (as flush_secs would, ~ once per few seconds).
    const int flushes = 200, per_flush = 1000;
    std::uint64_t reupload = 0;
    {
        tblog::SummaryWriter s("s3://" + bucket + "/bytes");
        tblog::SummaryWriter l(tmp.string() + "/bytes");
        for (int f = 0; f < flushes; ++f) {
            for (int i = 0; i < per_flush; ++i) {
                s.add_scalar("loss/train", 0.5, f * per_flush + i);
                l.add_scalar("loss/train", 0.5, f * per_flush + i);
            }
            s.flush();
            l.flush();
            for (auto& e : std::filesystem::directory_iterator(tmp / "bytes")) reupload += e.file_size();
        }
    }
    std::uint64_t logged = 0;
    for (auto& e : std::filesystem::directory_iterator(tmp / "bytes")) logged += e.file_size();
    const std::uint64_t uploaded = bucket_bytes(bucket, "bytes/");
    std::filesystem::remove_all(tmp);

    std::printf("| measure | tblog | comparison |\n|---|---|---|\n");
    std::printf("| add_scalar caller cost, s3:// logdir (median ns/call) | %.1f | %.1f (local logdir) |\n", s3_ns, local_ns);
    std::printf("| sustained add_scalar into RGW, until close() stored all (M events/s) | %.2f | — |\n", n / secs / 1e6);
    std::printf("| bytes uploaded / bytes logged, %d flushes of %d scalars | %.3f | %.1f (whole file re-uploaded at every flush, as PyTorch) |\n",
                flushes, per_flush, double(uploaded) / logged, double(reupload) / logged);
    return 0;
}
