// The S3 writer (tblog::s3) against a real store (Ceph RGW from tools/ceph_rgw.sh; S3_ENDPOINT
// and AWS_* set). Prints the table of benchmarks/README.md, "S3":
//   - caller cost of add_scalar with an s3:// logdir vs a local one (median of batches of 1000);
//   - sustained events/s into the bucket (add_scalar until close() has stored everything), wall
//     and process CPU time (the writer thread's encoding, signing and curl included), beside the
//     same into a local logdir;
//   - bytes uploaded per byte logged: request bodies as curl sent them (retries included), for
//     tblog (segment objects, each byte once) and for PyTorch's file layer on the same flush
//     schedule. PyTorch's SummaryWriter writes s3:// through TensorBoard's GFile, which cannot
//     append: each flush() PUTs the whole event file written so far
//     (tensorboard/compat/tensorflow_stub/io/gfile.py, GFile.flush -> S3FileSystem.write). That
//     is replayed here with the same client against the same RGW, byte for byte: after each
//     flush the local copy of the run (identical records) is PUT whole.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tblog/s3.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace s3 = tblog::detail::s3;

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

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string loadavg() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

// CPU seconds of RGW's daemons (radosgw + the OSD, by the PIDs tools/ceph_rgw.sh saved); NaN
// when they are not found (another store).
double store_cpu_seconds() {
    const char* dir = std::getenv("TBLOG_RGW_DIR");
    const std::string base = dir ? dir : "/tmp/tblog-rgw-" + std::to_string(::getuid());
    double total = 0;
    for (const char* name : {"rgw", "osd"}) {
        std::ifstream pidf(base + "/" + name + ".pid");
        long pid = 0;
        if (!(pidf >> pid)) return std::nan("");
        std::ifstream statf("/proc/" + std::to_string(pid) + "/stat");
        std::string stat((std::istreambuf_iterator<char>(statf)), std::istreambuf_iterator<char>());
        const auto close = stat.rfind(')');
        if (close == std::string::npos) return std::nan("");
        std::istringstream fields(stat.substr(close + 2));
        std::string f;
        unsigned long long utime = 0, stime = 0;
        for (int i = 0; i < 11 && fields >> f; ++i) {}
        fields >> utime >> stime;
        total += double(utime + stime) / sysconf(_SC_CLK_TCK);
    }
    return total;
}

struct Timed {
    double wall = 0, cpu = 0, store_cpu = 0;
};

// n scalars into a writer on `logdir`, timed until close() returns (everything stored).
Timed sustained(const std::string& logdir, std::int64_t n) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds(), s0 = store_cpu_seconds();
    {
        tblog::SummaryWriter w(logdir);
        for (std::int64_t i = 0; i < n; ++i) w.add_scalar("loss/train", 0.5, i);
    }
    return {std::chrono::duration<double>(Clock::now() - t0).count(), cpu_seconds() - c0, store_cpu_seconds() - s0};
}

std::uint64_t dir_bytes(const std::filesystem::path& d) {
    std::uint64_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(d)) n += e.file_size();
    return n;
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace

int main() {
    const std::string bucket = "tblog-bench-" + std::to_string(std::time(nullptr));
    tblog::s3::create_bucket(bucket);
    const auto tmp = std::filesystem::temp_directory_path() / ("tblog-bench-s3-" + std::to_string(::getpid()));
    const std::string load_before = loadavg();

    double local_ns, s3_ns;
    {
        tblog::SummaryWriter l(tmp.string() + "/caller");
        local_ns = caller_ns(l);
    }
    {
        tblog::SummaryWriter s("s3://" + bucket + "/caller");
        s3_ns = caller_ns(s);
    }

    const std::int64_t n = 2000000;
    const Timed to_s3 = sustained("s3://" + bucket + "/sustained", n);
    const Timed to_disk = sustained(tmp.string() + "/sustained", n);

    // Bytes: a run flushed every 1000 steps (as flush_secs would, ~ once per few seconds).
    const int flushes = 200, per_flush = 1000;
    auto& traffic = s3::traffic();
    std::uint64_t tblog_sent = 0, tblog_requests = 0;
    double tblog_secs = 0;
    std::vector<std::uint64_t> cuts;  // the local file's size after each flush
    {
        tblog::SummaryWriter l(tmp.string() + "/bytes");
        for (int f = 0; f < flushes; ++f) {
            for (int i = 0; i < per_flush; ++i) l.add_scalar("loss/train", 0.5, f * per_flush + i);
            l.flush();
            cuts.push_back(dir_bytes(tmp / "bytes"));
        }
    }
    {
        const std::uint64_t b0 = traffic.body_bytes, r0 = traffic.requests;
        const auto t0 = Clock::now();
        {
            tblog::SummaryWriter s("s3://" + bucket + "/bytes");
            for (int f = 0; f < flushes; ++f) {
                for (int i = 0; i < per_flush; ++i) s.add_scalar("loss/train", 0.5, f * per_flush + i);
                s.flush();
            }
        }
        tblog_secs = std::chrono::duration<double>(Clock::now() - t0).count();
        tblog_sent = traffic.body_bytes - b0;
        tblog_requests = traffic.requests - r0;
    }
    const std::uint64_t logged = dir_bytes(tmp / "bytes");

    // PyTorch's file layer on the same schedule: the file as it stood at each flush, PUT whole.
    std::string file;
    for (auto& e : std::filesystem::directory_iterator(tmp / "bytes")) file = read_all(e.path());
    std::uint64_t torch_sent = 0;
    double torch_secs = 0;
    {
        s3::Client c(tblog::S3Options{});
        const std::uint64_t b0 = traffic.body_bytes;
        const auto t0 = Clock::now();
        for (const auto cut : cuts)
            s3::with_retries(c, 30, [&](s3::Client& cl) {
                return cl.put_object(bucket, "torch/events.out.tfevents.1.host", std::string_view(file).substr(0, cut));
            });
        torch_secs = std::chrono::duration<double>(Clock::now() - t0).count();
        torch_sent = traffic.body_bytes - b0;
    }
    std::filesystem::remove_all(tmp);
    {  // the store's space back (RGW frees it at its next garbage collection)
        s3::Client c(tblog::S3Options{});
        s3::ListResult all;
        c.list_all(bucket, "", "", all);
        for (const auto& o : all.objects) c.delete_object(bucket, o.key);
        c.request("DELETE", bucket, "");
    }

    std::printf("load average before / after: %s / %s (%ld cores)\n\n", load_before.c_str(), loadavg().c_str(),
                sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("| measure | tblog | comparison |\n|---|---|---|\n");
    std::printf("| add_scalar caller cost, s3:// logdir (median ns/call) | %.1f | %.1f (local logdir) |\n", s3_ns, local_ns);
    std::printf("| sustained add_scalar into RGW until close() stored all, %lld scalars: M events/s (wall; CPU) "
                "| %.2f (%.2f s; %.2f s CPU + RGW %.2f s) | %.2f (%.2f s; %.2f s CPU) into a local logdir |\n",
                static_cast<long long>(n), n / to_s3.wall / 1e6, to_s3.wall, to_s3.cpu, to_s3.store_cpu,
                n / to_disk.wall / 1e6, to_disk.wall, to_disk.cpu);
    std::printf("| bytes uploaded / bytes logged, %d flushes of %d scalars (%.1f MB logged) | %.3f (%llu PUTs, %.1f s) "
                "| %.1f (PyTorch's file layer: whole file PUT at every flush; %.0f MB, %.1f s) |\n",
                flushes, per_flush, logged / 1e6, double(tblog_sent) / logged, static_cast<unsigned long long>(tblog_requests),
                tblog_secs, double(torch_sent) / logged, torch_sent / 1e6, torch_secs);
    return 0;
}
