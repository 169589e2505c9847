// The viewer's building blocks in isolation: scalar columns, reservoir, the scalar fast path
// (against protobuf), number formatting (against Python's repr), Markdown, flags, path checks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <thread>

#include "http/response.hpp"
#include "http/response_cache.hpp"
#include "http_util.hpp"
#include "markdown.hpp"
#include "number_format.hpp"
#include "options.hpp"
#include "reservoir.hpp"
#include "scalar_columns.hpp"
#include "scalar_fastpath.hpp"
#include "tensor_util.hpp"
#include "trace_timelines.hpp"
#include "support/test_support.hpp"
#include "tblog/detail/wire/scalar_event.hpp"

using namespace tblog::view;

TEST_CASE("scalar columns: every point kept across chunk boundaries, 20 bytes each") {
    ScalarColumns c;
    const std::size_t n = 100000;
    for (std::size_t i = 0; i < n; ++i) c.push(static_cast<std::int64_t>(i * 2), 1e9 + i, static_cast<float>(i));
    REQUIRE(c.size() == n);
    for (std::size_t i : {0ul, 15ul, 16ul, 47ul, 48ul, 8175ul, 8176ul, 12271ul, 12272ul, n - 1}) {
        CHECK(c.step(i) == static_cast<std::int64_t>(i * 2));
        CHECK(c.wall_time(i) == 1e9 + i);
        CHECK(c.value(i) == static_cast<float>(i));
    }
    std::size_t seen = 0;
    c.for_each(100, 9000, [&](const ScalarPoint& p) {
        CHECK(p.step == static_cast<std::int64_t>((100 + seen) * 2));
        ++seen;
    });
    CHECK(seen == 8900);
    CHECK(c.lower_bound(1001) == 501);
    CHECK(c.bytes_reserved() < n * 21);
}

TEST_CASE("scalar columns: a step not after the last drops the tail from that step") {
    ScalarColumns c;
    for (int i = 0; i < 5000; ++i) c.push(i, 0, 0);
    c.push(4000, 1, 7);  // restart at 4000
    CHECK(c.size() == 4001);
    CHECK(c.value(4000) == 7);
    c.push(0, 2, 9);
    CHECK(c.size() == 1);
    c.push(1, 3, 1);
    CHECK(c.step(1) == 1);
}

TEST_CASE("reservoir: bounded, keeps the latest, preempts on step regression") {
    Reservoir<int> r(10);
    for (int i = 0; i < 1000; ++i) r.offer(i, 0, i);
    REQUIRE(r.items().size() == 10);
    CHECK(r.items().back().step == 999);
    for (std::size_t i = 1; i < r.items().size(); ++i) CHECK(r.items()[i - 1].step < r.items()[i].step);
    r.offer(500, 0, -1);
    CHECK(r.items().back().step == 500);
    for (const auto& it : r.items()) CHECK(it.step <= 500);

    Reservoir<int> all;  // capacity 0: keep everything
    for (int i = 0; i < 1000; ++i) all.offer(i, 0, i);
    CHECK(all.items().size() == 1000);
}

TEST_CASE("fast path: decodes what add_scalar writes exactly as protobuf does") {
    for (const std::string tag : {"loss", "a/much/longer/tag/name/than/usual/to/cross/varint/lengths/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}) {
        for (std::int64_t step : {std::int64_t{0}, std::int64_t{1}, std::int64_t{300}, std::int64_t{1} << 40}) {
            char buf[512];
            const auto n = tblog::detail::encode_scalar_event(buf, 1234.5, step, tag, 0.25f);
            FastScalarEvent ev;
            REQUIRE(parse_scalar_event(buf, n, ev));
            tensorboard::Event e;
            REQUIRE(e.ParseFromArray(buf, static_cast<int>(n)));
            CHECK(ev.wall_time == e.wall_time());
            CHECK(ev.step == e.step());
            REQUIRE(ev.count == 1);
            CHECK(ev.values[0].tag == e.summary().value(0).tag());
            CHECK(ev.values[0].value == e.summary().value(0).simple_value());
            CHECK_FALSE(ev.values[0].has_metadata);
        }
    }
}

TEST_CASE("fast path: anything else is left to protobuf") {
    FastScalarEvent ev;
    tensorboard::Event e;
    e.set_wall_time(1);
    e.set_file_version("brain.Event:2");
    std::string b = e.SerializeAsString();
    CHECK_FALSE(parse_scalar_event(b.data(), b.size(), ev));

    tensorboard::Event t;  // a tensor value
    auto* v = t.mutable_summary()->add_value();
    v->set_tag("x");
    v->mutable_tensor()->add_float_val(1);
    b = t.SerializeAsString();
    CHECK_FALSE(parse_scalar_event(b.data(), b.size(), ev));

    tensorboard::Event m;  // simple_value with metadata: decoded, metadata flagged
    auto* mv = m.mutable_summary()->add_value();
    mv->set_tag("y");
    mv->set_simple_value(2);
    mv->mutable_metadata()->set_display_name("Y");
    b = m.SerializeAsString();
    REQUIRE(parse_scalar_event(b.data(), b.size(), ev));
    CHECK(ev.values[0].has_metadata);

    const char junk[] = "\x09\x01\x02";  // truncated wall time
    CHECK_FALSE(parse_scalar_event(junk, 3, ev));
}

TEST_CASE("numbers are written as Python's repr") {
    auto repr = [](double d) {
        std::string s;
        append_repr(s, d);
        return s;
    };
    CHECK(repr(1700000000.0) == "1700000000.0");
    CHECK(repr(0.1) == "0.1");
    CHECK(repr(static_cast<float>(0.1)) == "0.10000000149011612");
    CHECK(repr(1e-5) == "1e-05");
    CHECK(repr(0.0001) == "0.0001");
    CHECK(repr(1e16) == "1e+16");
    CHECK(repr(123456789012345678.0) == "1.2345678901234568e+17");
    CHECK(repr(-2.5) == "-2.5");
    CHECK(repr(0.0) == "0.0");
    CHECK(repr(1e15) == "1000000000000000.0");
    CHECK(repr(6.68e-13) == "6.68e-13");
    CHECK(repr(NAN) == "NaN");
    CHECK(repr(-INFINITY) == "-Infinity");
    std::string j;
    append_json_number(j, INFINITY);
    CHECK(j == "\"Infinity\"");
}

TEST_CASE("markdown as TensorBoard renders it") {
    CHECK(markdown_to_safe_html("**bold** and a [link](http://example.com)") ==
          "<p><strong>bold</strong> and a <a href=\"http://example.com\">link</a></p>");
    CHECK(markdown_to_safe_html("# Title\n\ntext *em* `a<b`") == "<h1>Title</h1>\n<p>text <em>em</em> <code>a&lt;b</code></p>");
    CHECK(markdown_to_safe_html("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
    CHECK(markdown_to_safe_html("```\nx < y\n```") == "<pre><code>x &lt; y\n</code></pre>");
    CHECK(markdown_to_safe_html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    CHECK(markdown_to_safe_html("[x](javascript:alert(1))").find("javascript") == std::string::npos);
    CHECK(markdown_to_safe_html("snake_case_name") == "<p>snake_case_name</p>");
    CHECK(markdown_to_safe_html("a | b\n--|--\n1 | 2") ==
          "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>");
    CHECK(markdown_to_safe_html("") == "");
}

TEST_CASE("command line as TensorBoard's") {
    const char* argv[] = {"tblog-view", "--logdir", "/tmp/x", "--port=0", "--reload_interval", "1.5", "--load_fast",
                          "false", "--samples_per_plugin", "scalars=100000,images=1000,tensors=50", "--bind_all"};
    const Options o = parse_options(11, argv);
    REQUIRE(o.logdirs.size() == 1);
    CHECK(o.logdirs[0].dir == "/tmp/x");
    CHECK(o.port == 0);
    CHECK(o.reload_interval == 1.5);
    CHECK(o.bind_all);
    CHECK(o.sampling.capacity("images", DataClass::blob_sequence) == 1000);
    CHECK(o.sampling.capacity("histograms", DataClass::tensor) == 50);
    CHECK(o.sampling.capacity("audio", DataClass::blob_sequence) == 10);

    const char* spec[] = {"tblog-view", "--logdir_spec", "a:/x,b:/y"};
    const Options s = parse_options(3, spec);
    REQUIRE(s.logdirs.size() == 2);
    CHECK(s.logdirs[1].name == "b");
    CHECK(s.host == "127.0.0.1");

    const char* bad[] = {"tblog-view", "--logdir", "x", "--frobnicate"};
    CHECK_THROWS_AS(parse_options(4, bad), std::invalid_argument);
    const char* none[] = {"tblog-view"};
    CHECK_THROWS_AS(parse_options(1, none), std::invalid_argument);
}

TEST_CASE("path escapes") {
    for (const char* bad : {"..", "../x", "a/../../b", "/etc/passwd", "a\\..\\b", "\\server\\x", "x/.."})
        CHECK(is_path_escape(bad));
    // A backslash inside a name is allowed: names that are not UTF-8 are shown as "exp\xff".
    for (const char* ok : {".", "train", "a/b", "a..b", "..a", "run.1/eval", "exp\\xff", "a\\b"})
        CHECK_FALSE(is_path_escape(ok));
}

TEST_CASE("tensor values: a one-value tensor is expanded only up to a bound") {
    Tensor t;
    t.proto.set_dtype(tensorboard::DT_DOUBLE);
    t.proto.add_double_val(2.5);
    t.shape = {4, 3};
    std::vector<double> v;
    REQUIRE(t.to_doubles(v));
    CHECK(v == std::vector<double>(12, 2.5));  // TensorFlow's fill rule
    // A hostile shape (2^40 x 2^30 elements from one value) is refused, not allocated.
    t.shape = {std::int64_t{1} << 40, std::int64_t{1} << 30};
    CHECK(t.num_elements() == SIZE_MAX);
    CHECK_FALSE(t.to_doubles(v));
    t.shape = {std::int64_t{1} << 25};  // 32 Mi elements: over the 16 Mi bound
    CHECK_FALSE(t.to_doubles(v));
    t.shape = {std::int64_t{1} << 10};
    CHECK(t.to_doubles(v));
    CHECK(v.size() == 1024);
}

TEST_CASE("shared blobs are streamed, whole or as one byte range, from the stored buffer") {
    auto bytes = std::make_shared<const std::string>(std::string(600000, 'x') + "tail");
    auto drain = [](httplib::Response& res) {
        std::string got;
        httplib::DataSink sink;
        sink.write = [&](const char* d, std::size_t n) {
            got.append(d, n);
            return true;
        };
        for (std::size_t off = 0; off < res.content_length_;) {
            const std::size_t before = got.size();
            REQUIRE(res.content_provider_(off, std::min<std::size_t>(65536, res.content_length_ - off), sink));
            off += got.size() - before;
        }
        return got;
    };
    httplib::Request req;
    req.method = "GET";
    httplib::Response whole;
    whole.status = 200;
    http::stream_shared(whole, bytes, "image/png");
    CHECK(whole.body.empty());  // nothing copied into the response
    CHECK(whole.content_length_ == bytes->size());
    CHECK(bytes.use_count() == 2);  // the answer holds a reference, not a copy
    const http::Outgoing all = http::serialize_response(req, whole, true);
    CHECK(all.streaming);
    CHECK(all.length == bytes->size());
    CHECK(all.head.find("Accept-Ranges: bytes") != std::string::npos);
    CHECK(drain(whole) == *bytes);

    // the one Range mechanism (serialize_response) cuts a streamed body as it cuts an in-memory one
    req.headers.emplace("Range", "bytes=-4");
    httplib::Response tail;
    tail.status = 200;  // as the router sets it before the handler runs
    http::stream_shared(tail, bytes, "audio/wav");
    const http::Outgoing cut = http::serialize_response(req, tail, true);
    CHECK(tail.status == 206);
    CHECK(cut.head.rfind("HTTP/1.1 206 ", 0) == 0);
    CHECK(cut.head.find("Content-Range: bytes 600000-600003/600004\r\n") != std::string::npos);
    CHECK(cut.length == 4);
    CHECK(drain(tail) == "tail");

    httplib::Request mid;
    mid.method = "GET";
    mid.headers.emplace("Range", "bytes=599998-600001");
    httplib::Response part;
    part.status = 200;
    http::stream_shared(part, bytes, "image/png");
    CHECK(http::serialize_response(mid, part, true).length == 4);
    CHECK(drain(part) == "xxta");

    // an in-memory body: the same rule
    httplib::Request two;
    two.method = "GET";
    two.headers.emplace("Range", "bytes=2-3");
    httplib::Response text;
    text.status = 200;
    text.set_content("0123456789", "text/plain");
    const http::Outgoing t = http::serialize_response(two, text, true);
    CHECK(text.status == 206);
    CHECK(t.body == "23");
    CHECK(t.head.find("Content-Range: bytes 2-3/10\r\n") != std::string::npos);
}

TEST_CASE("response cache: an answer is reused while its version holds, per client encoding, never for a Range") {
    auto cache = std::make_shared<http::ResponseCache>(std::size_t{1} << 20);
    std::string version = "v1";
    int runs = 0;
    const std::string text(3000, 'a');
    const auto handler = http::cached(
        cache, [&](const httplib::Request&) -> std::optional<std::string> { return version; },
        [&](const httplib::Request& req, httplib::Response& res) {
            ++runs;
            if (req.get_param_value("run") == "missing") return send_error(res, 404, "no such run");
            res.set_content(text + std::to_string(runs), "application/json");
        });
    auto ask = [&](const char* run, const char* encoding, const char* range = nullptr) {
        httplib::Request req;
        req.method = "GET";
        req.path = "/data/tblog/scalars";
        req.params.emplace("run", run);
        req.headers.emplace("Accept-Encoding", encoding);
        if (range) req.headers.emplace("Range", range);
        httplib::Response res;
        res.status = 200;
        handler(req, res);
        return http::serialize_response(req, res, true);
    };
    const http::Outgoing first = ask("a", "gzip");
    CHECK(first.head.find("Content-Encoding: gzip") != std::string::npos);
    const http::Outgoing again = ask("a", "gzip");
    CHECK(runs == 1);  // answered from the cache: the same head and bytes
    CHECK(again.head == first.head);
    CHECK(again.body == first.body);
    const http::Outgoing plain = ask("a", "identity");  // another encoding: its own entry
    CHECK(runs == 2);
    CHECK(plain.body == text + "2");
    CHECK(ask("a", "identity").body == text + "2");
    CHECK(ask("b", "identity").body == text + "3");  // other parameters: another answer
    CHECK(runs == 3);
    version = "v2";  // the data moved on: the handler answers again
    CHECK(ask("a", "identity").body == text + "4");
    CHECK(ask("a", "identity").body == text + "4");
    CHECK(runs == 4);
    CHECK(ask("a", "identity", "bytes=0-1").body == "aa");  // a Range goes to the handler, cut as before
    CHECK(runs == 5);
    CHECK(ask("missing", "identity").head.rfind("HTTP/1.1 404", 0) == 0);  // errors are not kept
    CHECK(ask("missing", "identity").head.rfind("HTTP/1.1 404", 0) == 0);
    CHECK(runs == 7);
    CHECK(cache->stats().hits == 3);
}

TEST_CASE("response cache: bounded in bytes, least recently used answers go first, large ones are not kept") {
    http::ResponseCache cache(64 << 10);
    auto entry = [](std::size_t n) {
        auto e = std::make_shared<http::ResponseCache::Entry>();
        e->body.assign(n, 'x');
        return e;
    };
    cache.put("big", "1", entry(9 << 10));  // over an eighth of the budget
    CHECK(!cache.peek("big", "1"));
    cache.put("first", "1", entry(4 << 10));
    for (int i = 0; i < 40; ++i) {
        cache.put("k" + std::to_string(i), "1", entry(4 << 10));
        CHECK(cache.peek("first", "1"));  // used again and again: stays
        CHECK(cache.stats().bytes <= (64 << 10));
    }
    CHECK(!cache.peek("k0", "1"));
    CHECK(cache.peek("k39", "1"));
    CHECK(!cache.peek("k39", "2"));  // another version is not this entry
}

TEST_CASE("response cache: requests arriving while an answer is produced wait for it instead of producing it again") {
    auto cache = std::make_shared<http::ResponseCache>(std::size_t{1} << 20);
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> runs{0};
    const auto handler = http::cached(
        cache, [](const httplib::Request&) -> std::optional<std::string> { return "v"; },
        [&](const httplib::Request&, httplib::Response& res) {
            const int n = ++runs;
            std::unique_lock lk(mu);
            cv.wait(lk, [&] { return release; });
            res.set_content(std::string(2000, 'x') + std::to_string(n), "application/json");
        });
    auto ask = [&] {
        httplib::Request req;
        req.method = "GET";
        req.path = "/data/tblog/scalars";
        httplib::Response res;
        res.status = 200;
        handler(req, res);
        return res.body;
    };
    std::string first, second;
    std::thread a([&] { first = ask(); });
    while (runs == 0) std::this_thread::yield();
    std::thread b([&] { second = ask(); });
    // the second request blocks waiting for the first's answer (the cache counts it)
    while (cache->stats().waiting == 0) std::this_thread::yield();
    CHECK(runs == 1);  // the second request did not run the handler beside the first
    {
        std::lock_guard lk(mu);
        release = true;
    }
    cv.notify_all();
    a.join();
    b.join();
    CHECK(runs == 1);
    CHECK(second == first);
    CHECK(first == std::string(2000, 'x') + "1");
}

// The Store's cache of trace timelines on its own: one build per version even when asked from
// several threads at once, and past the byte budget the least recently used answer dropped
// (built again when asked for) — never the one just built.
TEST_CASE("trace timelines: one build per file version, least recently used dropped past the budget") {
    using tblog::view::TraceFileVersion;
    using tblog::view::TraceTimeline;
    tblog::view::TraceTimelines cache(10);
    std::atomic<int> built{0};
    const auto build = [&](std::string bytes) {
        return [&built, bytes] {
            ++built;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // others ask meanwhile
            return TraceTimeline{std::make_shared<const std::string>(bytes), 200, {}};
        };
    };
    const TraceFileVersion a{"a", 1, 1}, b{"b", 1, 1}, a2{"a", 2, 1};
    std::vector<std::thread> askers;
    std::vector<std::string> got(4);
    for (int i = 0; i < 4; ++i) askers.emplace_back([&, i] { got[i] = *cache.get(a, build("AAAAAA")).bytes; });
    for (auto& t : askers) t.join();
    CHECK(built == 1);
    CHECK(got == std::vector<std::string>(4, "AAAAAA"));
    CHECK(cache.seen(a));
    CHECK_FALSE(cache.seen(a2));
    CHECK(*cache.get(b, build("BBBBBB")).bytes == "BBBBBB");  // 12 bytes > 10: a is dropped
    CHECK(built == 2);
    CHECK(cache.stats().dropped == 1);
    CHECK(cache.stats().bytes == 6);
    CHECK(cache.seen(a));  // built once (the loader leaves it to get())
    CHECK(*cache.get(a, build("AAAAAA")).bytes == "AAAAAA");  // built again; now b is dropped
    CHECK(built == 3);
    CHECK(cache.stats().dropped == 2);
    CHECK(*cache.get(a, build("unused")).bytes == "AAAAAA");
    CHECK(*cache.get(a2, build("A2")).bytes == "A2");  // a new version of a replaces it
    CHECK(built == 4);
    CHECK(cache.stats().entries == 1);
    CHECK(cache.stats().bytes == 2);
    cache.retain({"b"});
    CHECK(cache.stats().entries == 0);
    CHECK(cache.stats().builds == 4);
}
