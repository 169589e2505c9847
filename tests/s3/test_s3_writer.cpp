// SummaryWriter("s3://...") against a real S3 server (Ceph RGW, tools/ceph_rgw.sh): what
// lands in the bucket reads back as exactly the records of the same run on local disk.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

#include "s3/s3_support.hpp"
#include "support/test_support.hpp"
#include "tblog/profiler.hpp"
#include "tblog/s3.hpp"

namespace fs = std::filesystem;

namespace {

// The same calls, with fixed wall times, for a local and an S3 writer.
void log_everything(tblog::SummaryWriter& w) {
    for (int i = 0; i < 50; ++i) w.add_scalar("loss", 1.0 / (i + 1), i, 1000.0 + i);
    w.add_text("note", "hello *s3*", 3, 2000.0);
    std::vector<float> v(1000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.01f * static_cast<float>(i));
    w.add_histogram("weights", tblog::TensorView(v.data(), {static_cast<std::int64_t>(v.size())}), 7, "tensorflow", 2001.0);
    w.add_scalars("run", {{"a", 1.0}, {"b", 2.0}}, 1, 2002.0);
    w.add_hparams({{"lr", 0.1}}, {{"acc", 0.9}}, {}, std::string("hp"));
}

std::string tfevents_name_pattern() { return R"(events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+(\.\d{8})$)"; }

}  // namespace

TEST_CASE("an s3:// run reads back as exactly the local run's records, sub-runs included") {
    if (!tbs3::have_s3()) return;
    const auto bucket = tbs3::fresh_bucket("equal");
    tbtest::TempDir local, mirror;
    {
        tblog::SummaryWriter a(local / "run");
        log_everything(a);
        tblog::SummaryWriter b("s3://" + bucket + "/exp/run");
        log_everything(b);
        b.flush();
        b.add_scalar("loss", 0.5, 99, 3000.0);  // a second segment
        a.add_scalar("loss", 0.5, 99, 3000.0);
    }
    tbs3::mirror(bucket, "exp/", mirror.path());
    for (const std::string sub : {"run", "run/run_a", "run/run_b", "run/hp"}) {
        INFO(sub);
        auto want = tbs3::run_events(local.path() / sub);
        auto got = tbs3::run_events(mirror.path() / sub);
        REQUIRE(got.size() == want.size());
        if (sub == "run/hp")  // add_hparams stamps its events with the time of the call
            for (auto* v : {&want, &got})
                for (auto& e : *v) e.clear_wall_time();
        for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i].SerializeAsString() == want[i].SerializeAsString());
    }
    // Every object of the main run is a segment, names sort in write order.
    const auto segs = tbtest::event_files(mirror.path() / "run");
    REQUIRE(segs.size() == 2);
    for (const auto& s : segs) CHECK(std::regex_search(s.filename().string(), std::regex(tfevents_name_pattern())));
    CHECK(segs[0].string().substr(0, segs[0].string().size() - 8) == segs[1].string().substr(0, segs[1].string().size() - 8));
}

TEST_CASE("segments are cut at flush(), at the size threshold, and no byte is uploaded twice") {
    if (!tbs3::have_s3()) return;
    const auto bucket = tbs3::fresh_bucket("segments");
    tbtest::TempDir local, mirror;
    tblog::WriterOptions o;
    o.log_dir = "s3://" + bucket + "/r";
    o.s3.segment_bytes = 4096;
    o.flush_secs = 3600;
    std::uint64_t local_size = 0;
    {
        tblog::SummaryWriter w(o);
        tblog::SummaryWriter l(local / "r");
        for (int i = 0; i < 12; ++i) {  // 12 segments by flush()
            w.add_scalar("x", i, i, 10.0 + i);
            l.add_scalar("x", i, i, 10.0 + i);
            w.flush();
        }
        for (int i = 0; i < 2000; ++i) {  // ~60 KB: cut by size
            w.add_scalar("y", i, i, 100.0 + i);
            l.add_scalar("y", i, i, 100.0 + i);
        }
        l.close();
        local_size = fs::file_size(tbtest::only_event_file(local.path() / "r"));
    }
    tbs3::mirror(bucket, "r/", mirror.path());
    const auto segs = tbtest::event_files(mirror.path());
    REQUIRE(segs.size() > 12 + 5);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const auto ev = tbtest::read_events(segs[i]);
        CHECK(ev.front().file_version() == "brain.Event:2");
        total += fs::file_size(segs[i]);
        char want[32];
        std::snprintf(want, sizeof(want), ".%08zu", i);  // zero-padded: sorts past 10 segments
        CHECK(segs[i].string().substr(segs[i].string().size() - 9) == want);
    }
    // The data once, plus one file_version record per segment after the first.
    std::uint64_t headers = 0;
    for (std::size_t i = 1; i < segs.size(); ++i)
        headers += tbtest::raw_records(segs[i]).front().size() + tblog::detail::record::kOverhead;
    CHECK(total == local_size + headers);
    const auto got = tbs3::run_events(mirror.path());
    const auto want = tbs3::run_events(local.path() / "r");
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i].SerializeAsString() == want[i].SerializeAsString());
}

TEST_CASE("add_embedding's files and projector config land in the bucket") {
    if (!tbs3::have_s3()) return;
    const auto bucket = tbs3::fresh_bucket("embed");
    tbtest::TempDir local;
    std::vector<float> m = {1, 2, 3, 4, 5, 6};
    {
        tblog::SummaryWriter s("s3://" + bucket + "/run");
        tblog::SummaryWriter l(local / "run");
        for (auto* w : {&s, &l}) {
            w->add_embedding(tblog::TensorView(m.data(), {3, 2}), tblog::EmbeddingMetadata{std::vector<std::string>{"a", "b", "c"}},
                             std::nullopt, 1, "emb");
            w->add_embedding(tblog::TensorView(m.data(), {2, 3}), std::nullopt, std::nullopt, 2, "other");
        }
    }
    auto read_local = [&](const std::string& rel) {
        std::ifstream in(local.path() / "run" / rel, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    CHECK(tbs3::get(bucket, "run/projector_config.pbtxt") == read_local("projector_config.pbtxt"));
    CHECK(tbs3::get(bucket, "run/00001/emb/tensors.tsv") == read_local("00001/emb/tensors.tsv"));
    CHECK(tbs3::get(bucket, "run/00001/emb/metadata.tsv") == read_local("00001/emb/metadata.tsv"));
    CHECK(tbs3::get(bucket, "run/00002/other/tensors.tsv") == read_local("00002/other/tensors.tsv"));
}

TEST_CASE("wrong keys: a clear 403 error naming the URL and S3's error code") {
    if (!tbs3::have_s3()) return;
    const auto bucket = tbs3::fresh_bucket("keys");
    tblog::WriterOptions o;
    o.log_dir = "s3://" + bucket + "/run";
    o.s3.access_key_id = "NOSUCHKEY0000000000";
    o.s3.secret_access_key = "wrong";
    o.s3.close_timeout_secs = 1;
    tblog::SummaryWriter w(o);
    w.add_scalar("x", 1, 1);
    try {
        w.flush();
        FAIL("flush() with wrong keys did not throw");
    } catch (const std::system_error& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(e.code() == std::errc::permission_denied);
        CHECK(what.find("403") != std::string::npos);
        CHECK(what.find("InvalidAccessKeyId") != std::string::npos);
        CHECK(what.find("/" + bucket + "/run/events.out.tfevents.") != std::string::npos);
    }
    CHECK_THROWS_AS(w.add_scalar("x", 2, 2), std::system_error);  // until the cause is fixed
    CHECK_THROWS_AS(w.close(), std::system_error);
}

TEST_CASE("missing bucket: a clear NoSuchBucket error") {
    if (!tbs3::have_s3()) return;
    tblog::WriterOptions o;
    o.log_dir = "s3://tblog-no-such-bucket-" + std::to_string(::getpid()) + "/run";
    o.s3.close_timeout_secs = 1;
    tblog::SummaryWriter w(o);
    w.add_scalar("x", 1, 1);
    try {
        w.flush();
        FAIL("flush() into a missing bucket did not throw");
    } catch (const std::system_error& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK(what.find("NoSuchBucket") != std::string::npos);
        CHECK(what.find("tblog-no-such-bucket-") != std::string::npos);
    }
    CHECK_THROWS_AS(w.close(), std::system_error);
}

TEST_CASE("an s3:// log_dir without a linked storage names what to link") {
    // The registry is what SummaryWriter consults; a scheme nobody registered fails clearly.
    try {
        tblog::SummaryWriter w("gs://bucket/run");
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("no storage for 'gs://'") != std::string::npos);
    }
}

TEST_CASE("profiler traces for an s3:// logdir land in the bucket at plugins/profile/<stamp>/<host>.{trace.json.gz,xplane.pb}") {
    if (!tbs3::have_s3()) return;
    const auto bucket = tbs3::fresh_bucket("profile");
    tblog::ProfilerOptions po;
    po.hostname = "testhost";
    tblog::Profiler prof("s3://" + bucket + "/run", "", po);
    { auto s = prof.span("work"); }
    const std::string url = prof.stop();
    const std::string stamp_dir = "s3://" + bucket + R"(/run/plugins/profile/\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}/)";
    CHECK(std::regex_match(url, std::regex(stamp_dir + R"(testhost\.trace\.json\.gz)")));
    const auto objects = tbs3::list(bucket, "run/").objects;  // key order: .trace.json.gz, .xplane.pb
    REQUIRE(objects.size() == 2);
    const std::string dir = url.substr(0, url.rfind('/') + 1);
    CHECK("s3://" + bucket + "/" + objects[0].key == url);
    CHECK("s3://" + bucket + "/" + objects[1].key == dir + "testhost.xplane.pb");
    const std::string gz = tbs3::get(bucket, objects[0].key);
    REQUIRE(gz.size() > 20);
    CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);  // gzip magic
    CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
    CHECK(tbs3::get(bucket, objects[1].key).size() > 20);  // an XSpace with the span's plane
    // No temporary file is left behind.
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
        CHECK(e.path().filename().string().rfind("tblog-trace-" + std::to_string(::getpid()) + "-", 0) != 0);
}
