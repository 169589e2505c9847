// Faults of a real store (Ceph RGW, restarted by tools/ceph_rgw.sh): radosgw killed and
// restarted mid-run, radosgw frozen with SIGSTOP, an outage longer than the memory spool,
// close() giving up on a store that stays down. Nothing accepted is lost.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "s3/s3_support.hpp"

namespace fs = std::filesystem;

namespace {

tblog::WriterOptions options(const std::string& url) {
    tblog::WriterOptions o;
    o.log_dir = url;
    o.flush_secs = 3600;
    o.s3.connect_timeout_secs = 1;
    o.s3.request_timeout_secs = 2;
    o.s3.flush_timeout_secs = 1;
    o.s3.close_timeout_secs = 20;
    return o;
}

// Steps of scalar "x" read back from the bucket, in order.
std::vector<std::int64_t> steps_in(const std::string& bucket, const std::string& prefix) {
    tbtest::TempDir m;
    tbs3::mirror(bucket, prefix, m.path());
    std::vector<std::int64_t> s;
    for (const auto& e : tbs3::run_events(m.path()))
        if (e.has_summary()) s.push_back(e.step());
    return s;
}

std::vector<std::int64_t> iota(int n) {
    std::vector<std::int64_t> v(n);
    for (int i = 0; i < n; ++i) v[i] = i;
    return v;
}

std::uint64_t spool_bytes(const fs::path& dir) {
    std::uint64_t n = 0;
    for (auto& e : fs::directory_iterator(dir)) n += fs::file_size(e.path());
    return n;
}

}  // namespace

TEST_CASE("radosgw killed and restarted mid-run: the writer retries, nothing is lost") {
    if (!tbs3::have_s3()) return;
    tbs3::RgwRestorer restore;
    const auto bucket = tbs3::fresh_bucket("kill");
    tblog::SummaryWriter w(options("s3://" + bucket + "/run"));
    for (int i = 0; i < 100; ++i) w.add_scalar("x", i, i);
    w.flush();
    tbs3::rgw("kill-rgw");
    for (int i = 100; i < 200; ++i) w.add_scalar("x", i, i);
    CHECK_NOTHROW(w.flush());  // transient: stays spooled, no error
    for (int i = 200; i < 300; ++i) w.add_scalar("x", i, i);
    CHECK_NOTHROW(w.flush());
    tbs3::rgw("start-rgw");
    for (int i = 300; i < 400; ++i) w.add_scalar("x", i, i);
    w.close();
    CHECK(steps_in(bucket, "run/") == iota(400));
}

TEST_CASE("radosgw frozen with SIGSTOP: requests time out, then the writer recovers") {
    if (!tbs3::have_s3()) return;
    tbs3::RgwRestorer restore;
    const auto bucket = tbs3::fresh_bucket("stop");
    tblog::SummaryWriter w(options("s3://" + bucket + "/run"));
    for (int i = 0; i < 50; ++i) w.add_scalar("x", i, i);
    w.flush();
    tbs3::rgw("stop-rgw-sigstop");
    for (int i = 50; i < 150; ++i) w.add_scalar("x", i, i);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_NOTHROW(w.flush());  // bounded by the request and flush timeouts
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
    tbs3::rgw("cont-rgw");
    for (int i = 150; i < 200; ++i) w.add_scalar("x", i, i);
    w.close();
    CHECK(steps_in(bucket, "run/") == iota(200));
}

TEST_CASE("an outage longer than the memory bound spools to disk, then drains") {
    if (!tbs3::have_s3()) return;
    tbs3::RgwRestorer restore;
    const auto bucket = tbs3::fresh_bucket("spool");
    tbtest::TempDir spool;
    auto o = options("s3://" + bucket + "/run");
    o.s3.spool_memory_bytes = 2048;
    o.s3.spool_dir = spool.str();
    tblog::SummaryWriter w(o);
    w.add_scalar("x", 0, 0);
    w.flush();
    tbs3::rgw("kill-rgw");
    for (int k = 1; k < 20; ++k) {
        for (int i = k * 100; i < k * 100 + 100; ++i) w.add_scalar("x", i, i);
        w.flush();
    }
    CHECK(spool_bytes(spool.path()) > 20000);  // past 2 KiB in memory, the rest on disk
    tbs3::rgw("start-rgw");
    w.add_scalar("x", 2000, 2000);
    w.close();
    CHECK(spool_bytes(spool.path()) == 0);  // drained (the spool file is emptied, then removed)
    std::vector<std::int64_t> want = {0};
    for (int i = 100; i <= 2000; ++i) want.push_back(i);
    CHECK(steps_in(bucket, "run/") == want);
}

TEST_CASE("close() against a store that stays down waits a bounded time and says where the data is") {
    if (!tbs3::have_s3()) return;
    tbs3::RgwRestorer restore;
    const auto bucket = tbs3::fresh_bucket("down");
    tbtest::TempDir spool;
    auto o = options("s3://" + bucket + "/run");
    o.s3.close_timeout_secs = 2;
    o.s3.spool_dir = spool.str();
    tblog::SummaryWriter w(o);
    tbs3::rgw("kill-rgw");
    for (int i = 0; i < 100; ++i) w.add_scalar("x", i, i);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        w.close();
        FAIL("close() did not report the unstored data");
    } catch (const std::system_error& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.find("not stored") != std::string::npos);
        CHECK(what.find(spool.str()) != std::string::npos);
        CHECK(what.find("run/events.out.tfevents.") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(15));
    CHECK(spool_bytes(spool.path()) > 100 * 20);  // the records are in the spool file
}
