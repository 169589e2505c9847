// Damaged files, hostile parameters and unknown names: the server keeps serving, serves every
// good record, and refuses what could name a file outside the logdir.
#include <catch2/catch.hpp>

#include "tblog/detail/io/record.hpp"
#include "tblog/detail/wire/scalar_event.hpp"
#include "tblog/writer.hpp"
#include "record_scan.hpp"
#include "viewer_test_support.hpp"

using vtest::enc;
using vtest::json;
namespace fs = std::filesystem;

namespace {

// A run "train" with scalars "loss" at steps 0..n-1 (value = step); returns the event file.
fs::path write_run(const fs::path& logdir, int n) {
    {
        tblog::SummaryWriter w((logdir / "train").string());
        for (int i = 0; i < n; ++i) w.add_scalar("loss", i, i, 1000.0 + i);
    }
    return tbtest::only_event_file(logdir / "train");
}

// Offsets of every record of a well-formed file.
std::vector<std::size_t> record_offsets(const std::string& bytes) {
    std::vector<std::size_t> out;
    for (std::size_t at = 0; at + 12 <= bytes.size();) {
        out.push_back(at);
        at += 16 + tblog::detail::record::get_u64(bytes.data() + at);
    }
    return out;
}

std::vector<std::int64_t> steps_of(const json& points) {
    std::vector<std::int64_t> out;
    for (const auto& p : points) out.push_back(p[1].get<std::int64_t>());
    return out;
}

std::string framed_scalar(const std::string& tag, std::int64_t step, float value) {
    char buf[256];
    const auto n = tblog::detail::encode_scalar_event(buf, 2000.0 + step, step, tag, value);
    return tblog::detail::record::frame(std::string_view(buf, n));
}

}  // namespace

TEST_CASE("a truncated tail: complete records served, the rest picked up when it arrives") {
    tbtest::TempDir src, dst;
    const std::string whole = vtest::read_file(write_run(src.path(), 200));
    const auto offsets = record_offsets(whole);
    const std::size_t cut = offsets[150] + 7;  // inside record 150's header
    const fs::path file = dst.path() / "train" / "events.out.tfevents.1.test";
    vtest::write_file(file, whole.substr(0, cut));

    vtest::TestServer s(dst.path());
    CHECK(s.scalars("train", "loss").size() == 149);  // records 1..149 (record 0: file_version)
    CHECK(s.get_json("/data/tblog/status")["truncated_files"] == 1);

    // The writer finishes the record: nothing read twice, nothing lost.
    std::ofstream(file, std::ios::binary | std::ios::app) << whole.substr(cut);
    s.reload();
    const json pts = s.scalars("train", "loss");
    REQUIRE(pts.size() == 200);
    for (int i = 0; i < 200; ++i) CHECK(pts[i][1] == i);
    CHECK(s.get_json("/data/tblog/status")["truncated_files"] == 0);
    CHECK(s.get_json("/data/tblog/status")["corrupt_records"] == 0);
}

TEST_CASE("a flipped byte in a record's data: that record skipped, all others served") {
    tbtest::TempDir dir;
    const fs::path file = write_run(dir.path(), 300);
    std::string bytes = vtest::read_file(file);
    const auto offsets = record_offsets(bytes);
    bytes[offsets[100] + 12 + 5] ^= 0x40;  // record 100 = step 99
    vtest::write_file(file, bytes);

    vtest::TestServer s(dir.path());
    const auto steps = steps_of(s.scalars("train", "loss"));
    CHECK(steps.size() == 299);
    CHECK(std::find(steps.begin(), steps.end(), 99) == steps.end());
    CHECK(steps.back() == 299);
    CHECK(s.get_json("/data/tblog/status")["corrupt_records"] == 1);
}

TEST_CASE("a damaged length: reading resumes at the next valid record") {
    tbtest::TempDir dir;
    const fs::path file = write_run(dir.path(), 300);
    std::string bytes = vtest::read_file(file);
    const auto offsets = record_offsets(bytes);
    bytes[offsets[200] + 1] ^= 0x01;  // record 200's length (step 199)
    vtest::write_file(file, bytes);

    vtest::TestServer s(dir.path());
    const auto steps = steps_of(s.scalars("train", "loss"));
    CHECK(steps.size() == 299);
    CHECK(std::find(steps.begin(), steps.end(), 199) == steps.end());
    CHECK(steps.back() == 299);
    const json st = s.get_json("/data/tblog/status");
    CHECK(st["corrupt_records"] == 1);
    CHECK(st["skipped_bytes"] == offsets[201] - offsets[200]);
}

TEST_CASE("zeros at the end (space allocated before the data) are waited on, not skipped") {
    tbtest::TempDir dir;
    const fs::path file = write_run(dir.path(), 10);
    std::ofstream(file, std::ios::binary | std::ios::app) << std::string(64, '\0');
    vtest::TestServer s(dir.path());
    CHECK(s.scalars("train", "loss").size() == 10);

    // The zeros turn out to be garbage and real records follow them.
    std::ofstream(file, std::ios::binary | std::ios::app) << framed_scalar("loss", 10, 10) << framed_scalar("loss", 11, 11);
    s.reload();
    const auto steps = steps_of(s.scalars("train", "loss"));
    CHECK(steps.size() == 12);
    CHECK(steps.back() == 11);
    CHECK(s.get_json("/data/tblog/status")["corrupt_records"] == 1);
}

TEST_CASE("path traversal is refused on every route taking a run, tag or name") {
    tbtest::TempDir dir;
    write_run(dir.path(), 3);
    vtest::write_file(dir.path() / "secret.tsv", "1\t2\n");
    vtest::write_file(dir.path() / "train" / "projector_config.pbtxt",
                      "embeddings { tensor_name: \"x\" tensor_path: \"../secret.tsv\" metadata_path: \"/etc/passwd\" }\n");
    vtest::TestServer s(dir.path());

    const std::vector<std::string> attacks = {"../../etc/passwd", "/etc/passwd", "train/../../..", "..",
                                              "..%2F..%2Fetc%2Fpasswd", "a\\..\\..\\b"};
    const std::vector<std::string> routes = {
        "/data/plugin/scalars/scalars?run=R&tag=T",        "/data/plugin/scalars/scalars?run=R&tag=T&format=csv",
        "/data/tblog/scalars?run=R&tag=T",                 "/data/plugin/histograms/histograms?run=R&tag=T",
        "/data/plugin/distributions/distributions?run=R&tag=T", "/data/plugin/images/images?run=R&tag=T",
        "/data/plugin/images/individualImage?run=R&tag=T&step=0&index=2",
        "/data/plugin/audio/audio?run=R&tag=T",            "/data/plugin/audio/individualAudio?run=R&tag=T&step=0&index=0",
        "/data/plugin/text/text?run=R&tag=T",              "/data/plugin/pr_curves/pr_curves?run=R&tag=T",
        "/data/plugin/custom_scalars/scalars?run=R&tag=T", "/data/plugin/mesh/meshes?run=R&tag=T",
        "/data/plugin/mesh/data?run=R&tag=T&content_type=VERTEX", "/data/plugin/graphs/graph?run=R&tag=T",
        "/data/plugin/graphs/run_metadata?run=R&tag=T",    "/data/plugin/projector/info?run=R",
        "/data/plugin/projector/tensor?run=R&name=T",      "/data/plugin/projector/metadata?run=R&name=T",
        "/data/plugin/projector/sprite_image?run=R&name=T", "/data/plugin/projector/bookmarks?run=R&name=T",
        "/data/tblog/profile/trace?run=R&session=T&host=T",
    };
    for (const auto& route : routes) {
        for (const auto& a : attacks) {
            for (const char* which : {"run", "tag"}) {
                std::string path = route;
                const std::string value = enc(a);
                const auto r_at = path.find("R"), t_at = path.find("=T");
                if (std::string(which) == "run") path.replace(r_at, 1, value);
                else if (t_at != std::string::npos && route.find("custom_scalars") == std::string::npos)
                    path.replace(t_at + 1, 1, value);  // (custom_scalars' tag is a regex over tags, not a name)
                else continue;
                for (std::size_t at; (at = path.find("=T")) != std::string::npos;) path.replace(at + 1, 1, "x");
                for (std::size_t at; (at = path.find("run=R")) != std::string::npos;) path.replace(at + 4, 1, "train");
                const auto r = s.get(path);
                INFO(path << " -> " << r.status << " " << r.body);
                CHECK((r.status == 400 || r.status == 404));
                CHECK(r.body.find("root:") == std::string::npos);
                CHECK(!r.body.empty());
            }
        }
    }
    // Asset paths inside a projector config may not leave the config's directory either.
    CHECK(s.get("/data/plugin/projector/tensor?run=train&name=x").status == 400);
    CHECK(s.get("/data/plugin/projector/metadata?run=train&name=x").status == 400);
    // Nor may the path of a static file.
    for (const char* p : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2F..%2Fetc%2Fpasswd", "/data/../../etc/passwd"}) {
        const auto r = s.get(p);
        INFO(p);
        CHECK(r.status != 200);
        CHECK(r.body.find("root:") == std::string::npos);
    }
    CHECK(s.get_json("/data/runs") == json::array({"train"}));  // still serving
}

TEST_CASE("unknown runs and tags: 400/404 with a message, never a crash") {
    tbtest::TempDir dir;
    write_run(dir.path(), 3);
    vtest::TestServer s(dir.path());
    const std::vector<std::string> routes = {
        "/data/plugin/scalars/scalars?run=nope&tag=loss",  "/data/plugin/scalars/scalars?run=train&tag=nope",
        "/data/plugin/scalars/scalars?tag=loss",           "/data/plugin/scalars/scalars?run=train",
        "/data/tblog/scalars?run=train&tag=nope",          "/data/plugin/histograms/histograms?run=train&tag=loss",
        "/data/plugin/distributions/distributions?run=x&tag=y", "/data/plugin/images/images?run=train&tag=loss",
        "/data/plugin/images/individualImage?run=train&tag=loss&step=0&index=0",
        "/data/plugin/audio/audio?run=nope&tag=x",         "/data/plugin/text/text?run=train&tag=nope",
        "/data/plugin/pr_curves/pr_curves?run=nope&tag=x", "/data/plugin/mesh/meshes?run=train&tag=x",
        "/data/plugin/mesh/data?run=train&tag=x&content_type=NOPE", "/data/plugin/graphs/graph?run=train",
        "/data/plugin/graphs/graph?run=nope",              "/data/plugin/graphs/run_metadata?run=train&tag=x",
        "/data/plugin/projector/info?run=train",           "/data/plugin/projector/tensor?run=nope&name=x",
        "/data/tblog/profile/trace?run=train&session=a&host=b", "/data/plugin/nope/tags", "/data/nope",
        "/data/plugin/images/images?run=train&tag=loss&sample=-1", "/data/plugin/images/images?run=train&tag=loss&sample=x",
        "/data/tblog/scalars?run=train&tag=loss&buckets=0", "/data/tblog/scalars?run=train&tag=loss&buckets=abc",
    };
    for (const auto& path : routes) {
        const auto r = s.get(path);
        INFO(path << " -> " << r.status << " " << r.body);
        CHECK((r.status == 400 || r.status == 404));
        CHECK(!r.body.empty());
    }
    CHECK(s.post("/data/plugin/hparams/session_groups", "{not json").status == 400);
    CHECK(s.post("/data/plugin/hparams/session_groups", R"({"colParams":[{"hparam":"lr","filterRegexp":"("}]})").status == 400);
    CHECK(s.post("/data/plugin/hparams/session_groups", R"({"colParams":[{}]})").status == 400);
    CHECK(s.scalars("train", "loss").size() == 3);  // still serving
}

TEST_CASE("run, session and tag names that are not UTF-8: listed escaped, served, never a 500") {
    // Finding 7: a run directory named with undecodable bytes made /data/runs answer 500.
    tbtest::TempDir dir;
    const std::string bad_run = std::string("exp\xff\xfe-") + "1";
    {
        tblog::SummaryWriter w((dir.path() / bad_run).string());
        w.add_scalar("loss", 1.5, 3);
    }
    {
        tblog::SummaryWriter w((dir.path() / "good").string());
        w.add_scalar("loss", 2.5, 4);
    }
    // A tag written by another writer that did not validate it (raw record).
    std::ofstream((dir.path() / "good" / "events.out.tfevents.2.other"), std::ios::binary)
        << framed_scalar(std::string("acc\xc3(", 5), 7, 0.5f);
    vtest::write_file(dir.path() / bad_run / "plugins" / "profile" / "s\xff" / "h\xfe.trace.json", "{\"traceEvents\":[]}");
    vtest::TestServer s(dir.path());

    const auto runs = s.get("/data/runs");
    REQUIRE(runs.status == 200);
    json names = runs.as_json();
    const std::string shown = "exp\\xff\\xfe-1";
    std::sort(names.begin(), names.end());
    CHECK(names == json::array({shown, "good"}));
    // The escaped name is the run's name everywhere: its data is served under it.
    const json pts = s.scalars(shown, "loss");
    REQUIRE(pts.size() == 1);
    CHECK(pts[0][1] == 3);
    const json tags = s.get_json("/data/plugin/scalars/tags");
    CHECK(tags.contains(shown));
    CHECK(tags["good"].contains("acc\\xc3("));
    CHECK(s.scalars("good", "acc\\xc3(")[0][1] == 7);
    for (const char* route : {"/data/plugin/histograms/tags", "/data/plugin/images/tags", "/data/plugin/text/tags",
                              "/data/plugins_listing", "/data/plugin/hparams/experiment", "/data/tblog/status"})
        CHECK(s.get(route).status == 200);
    const json traces = s.get_json("/data/tblog/profile/runs");
    REQUIRE(traces.size() == 1);
    CHECK(traces[0]["run"] == shown);
    CHECK(traces[0]["session"] == "s\\xff");
    // The real directory is still what is read.
    CHECK(s.get("/data/tblog/profile/trace?run=" + enc(shown) + "&session=" + enc("s\\xff") + "&host=" + enc("h\\xfe")).body ==
          "{\"traceEvents\":[]}");
}

TEST_CASE("symlinks leading outside the logdir are refused on every route that opens a file") {
    // Finding 8: a trace symlinked to /etc/passwd was served.
    tbtest::TempDir dir, outside;
    write_run(dir.path(), 2);
    const std::string secret = "SECRET-OUTSIDE-THE-LOGDIR\t1\n";
    vtest::write_file(outside.path() / "secret.tsv", secret);
    vtest::write_file(outside.path() / "projector_config.pbtxt", "embeddings { tensor_name: \"e\" tensor_path: \"t.tsv\" }\n");
    vtest::write_file(outside.path() / "t.tsv", "1\t2\n");
    const fs::path prof = dir.path() / "train" / "plugins" / "profile" / "s";
    fs::create_directories(prof);
    fs::create_symlink(outside.path() / "secret.tsv", prof / "host.trace.json");
    fs::create_symlink("/etc/passwd", prof / "etc.trace.json");
    vtest::write_file(prof / "inside.trace.json", "{\"traceEvents\":[]}");
    fs::create_symlink(prof / "inside.trace.json", prof / "alias.trace.json");  // a symlink within: fine
    // Projector: a config inside whose asset is a symlink out, and a run whose config is one.
    vtest::write_file(dir.path() / "train" / "projector_config.pbtxt",
                      "embeddings { tensor_name: \"x\" tensor_path: \"x.tsv\" metadata_path: \"meta.tsv\" }\n");
    vtest::write_file(dir.path() / "train" / "x.tsv", "1\t2\n3\t4\n");
    fs::create_symlink(outside.path() / "secret.tsv", dir.path() / "train" / "meta.tsv");
    write_run(dir.path() / "proj2", 1);
    fs::create_symlink(outside.path() / "projector_config.pbtxt", dir.path() / "proj2" / "train" / "projector_config.pbtxt");
    vtest::TestServer s(dir.path());

    auto trace = [&](const std::string& host) { return s.get("/data/tblog/profile/trace?run=train&session=s&host=" + host); };
    for (const char* host : {"host", "etc"}) {
        const auto r = trace(host);
        INFO(host << " -> " << r.status << " " << r.body);
        CHECK(r.status == 403);
        CHECK(r.body.find("SECRET") == std::string::npos);
        CHECK(r.body.find("root:") == std::string::npos);
        CHECK(r.body.find("outside the logdir") != std::string::npos);
    }
    CHECK(trace("inside").body == "{\"traceEvents\":[]}");
    CHECK(trace("alias").body == "{\"traceEvents\":[]}");

    CHECK(s.get("/data/plugin/projector/tensor?run=train&name=x").status == 200);
    const auto meta = s.get("/data/plugin/projector/metadata?run=train&name=x");
    CHECK(meta.status == 400);
    CHECK(meta.body.find("SECRET") == std::string::npos);
    const json proj_runs = s.get_json("/data/plugin/projector/runs");
    CHECK(std::find(proj_runs.begin(), proj_runs.end(), "proj2/train") == proj_runs.end());  // its config is outside
    CHECK(s.get("/data/plugin/projector/info?run=proj2%2Ftrain").status == 400);
}

TEST_CASE("huge records: a 24 MB text point is answered bounded, with the cut announced") {
    // Finding 11: a 200 MB text record cost 10.9 s and gigabytes per request.
    tbtest::TempDir dir;
    std::string big(24u << 20, 'a');
    for (std::size_t i = 0; i < big.size(); i += 1000) big[i] = '\n';
    {
        tblog::SummaryWriter w((dir.path() / "train").string());
        w.add_text("notes", big, 1);
        w.add_text("short", "hello *world*", 1);
    }
    vtest::TestServer s(dir.path());
    const auto r = s.get("/data/plugin/text/text?run=train&tag=notes%2Ftext_summary&markdown=false");
    REQUIRE(r.status == 200);
    CHECK(r.body.size() < (2u << 20));  // bounded by the 1 MiB cap (plus escaping and JSON)
    const json pts = r.as_json();
    REQUIRE(pts.size() == 1);
    const std::string text = pts[0]["text"];
    CHECK(text.find("text truncated: the first 1048576 of 25165824 bytes are shown") != std::string::npos);
    CHECK(text.find("<td>\naaa") != std::string::npos);  // add_text writes a 1-element vector: a 1-cell table
    // Small texts are untouched.
    CHECK(s.get_json("/data/plugin/text/text?run=train&tag=short%2Ftext_summary")[0]["text"] ==
          "<table>\n<tbody>\n<tr>\n<td><p>hello <em>world</em></p></td>\n</tr>\n</tbody>\n</table>");
}

TEST_CASE("huge blobs: a 6 MB image is streamed from the store, whole or by byte range") {
    // Finding 11: blobs were copied into every answer under the run's lock.
    tbtest::TempDir dir;
    const int h = 1024, w = 2048;
    std::vector<std::uint8_t> img(static_cast<std::size_t>(3) * h * w);  // CHW, noise: PNG cannot shrink it
    std::uint32_t x = 12345;
    for (auto& b : img) b = static_cast<std::uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
    {
        tblog::SummaryWriter wr((dir.path() / "train").string());
        wr.add_image("big", tblog::TensorView(img.data(), {3, h, w}), 7);
    }
    // The PNG exactly as written, read back from the event file with the library's reader.
    std::string png;
    for (const auto& e : tbtest::read_events(tbtest::only_event_file(dir.path() / "train")))
        for (const auto& v : e.summary().value())
            if (v.tag() == "big") png = v.image().encoded_image_string();
    REQUIRE(png.size() > (6u << 20));

    vtest::TestServer s(dir.path());
    const json list = s.get_json("/data/plugin/images/images?run=train&tag=big&sample=0");
    REQUIRE(list.size() == 1);
    const std::string url = "/data/plugin/images/individualImage?" + list[0]["query"].get<std::string>();
    const auto whole = s.get(url);
    CHECK(whole.status == 200);
    CHECK(whole.content_type == "image/png");
    CHECK(whole.body == png);
    httplib::Client c("127.0.0.1", s.viewer().port());
    const auto part = c.Get(url.c_str(), httplib::Headers{{"Range", "bytes=1000-1999"}});
    REQUIRE(part);
    CHECK(part->status == 206);
    CHECK(part->get_header_value("Content-Range") == "bytes 1000-1999/" + std::to_string(png.size()));
    CHECK(part->body == png.substr(1000, 1000));
}

TEST_CASE("resync over 64 MiB of zeros strides instead of checking every byte") {
    // Finding 11: a 1 GiB zero-filled file cost 8.3 s, a header CRC at every byte.
    tbtest::TempDir dir;
    const fs::path file = dir.path() / "train" / "events.out.tfevents.1.zeros";
    fs::create_directories(file.parent_path());
    {
        std::ofstream out(file, std::ios::binary);
        out << framed_scalar("loss", 0, 0.5f);
        const std::string zeros(1u << 20, '\0');
        for (int i = 0; i < 64; ++i) out << zeros;
        // Garbage that is not zeros, then the records that follow the damage.
        std::string junk(1u << 20, '\0');
        for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 2654435761u) >> 13);
        out << junk;
        for (int step = 1; step <= 3; ++step) out << framed_scalar("loss", step, 1.0f * step);
    }
    tblog::view::FileCursor cur;
    std::string buf;
    std::vector<std::string> records;
    tblog::view::scan_new_records(file.string(), cur, buf, [&](const std::vector<std::string_view>& recs) {
        for (auto r : recs) records.emplace_back(r);
    });
    CHECK(records.size() == 4);
    CHECK(cur.skipped_bytes == (65u << 20));
    CHECK(cur.corrupt_records == 1);
    // A CRC per byte would be 68 million; the stride needs a few per kilobyte of garbage at most.
    CHECK(cur.header_checks < 100000);
    CHECK(cur.offset == fs::file_size(file));

    vtest::TestServer s(dir.path());
    CHECK(steps_of(s.scalars("train", "loss")) == std::vector<std::int64_t>{0, 1, 2, 3});
}
