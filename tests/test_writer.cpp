// SummaryWriter's life cycle: file naming, header record, flush/close/destructor
// semantics, reopening after close, purge_step, default log_dir, bad input and I/O failure.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "support/test_support.hpp"
#include "tblog/writer.hpp"

namespace fs = std::filesystem;
using tbtest::TempDir;

TEST_CASE("event file name and first record follow PyTorch") {
    TempDir tmp;
    const double before = tblog::detail::now_seconds();
    tblog::SummaryWriter w(tmp.str(), "", std::nullopt, 10, 120, ".suffix");
    w.flush();
    const auto file = tbtest::only_event_file(tmp.path());
    const std::string name = file.filename().string();
    const std::regex re(R"(events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)\.suffix)");
    std::smatch m;
    REQUIRE(std::regex_match(name, m, re));
    CHECK(std::stoll(m[1]) >= static_cast<long long>(before));
    CHECK(m[2] == tblog::detail::hostname());
    CHECK(std::stol(m[3]) == static_cast<long>(getpid()));
    auto ev = tbtest::read_events(file);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].file_version() == "brain.Event:2");
    CHECK(ev[0].wall_time() >= before);
    CHECK(w.get_logdir() == tmp.str());
}

TEST_CASE("two writers in one process and second get distinct files") {
    TempDir tmp;
    tblog::SummaryWriter a(tmp.str()), b(tmp.str());
    a.flush();
    b.flush();
    CHECK(tbtest::event_files(tmp.path()).size() == 2);
}

TEST_CASE("flush() makes everything accepted so far visible on disk") {
    TempDir tmp;
    tblog::SummaryWriter w(tmp.str(), "", std::nullopt, 10, /*flush_secs=*/120);
    for (int i = 0; i < 1000; ++i) w.add_scalar("x", i, i, 1.0 + i);
    w.flush();  // the writer is still open
    auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 1001);
    CHECK(ev.back().step() == 999);
    CHECK(ev.back().summary().value(0).simple_value() == 999.0f);
    w.add_scalar("x", 5, 1000);
    w.flush();
    CHECK(tbtest::read_dir_events(tmp.path()).size() == 1002);
}

TEST_CASE("flush_secs: the writer thread flushes by itself") {
    TempDir tmp;
    tblog::SummaryWriter w(tmp.str(), "", std::nullopt, 10, /*flush_secs=*/1);
    w.add_scalar("x", 1, 1);
    std::size_t seen = 0;
    for (int i = 0; i < 100 && seen < 2; ++i) {  // up to 10 s; normally ~1 s
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        seen = tbtest::read_dir_events(tmp.path()).size();
    }
    CHECK(seen == 2);
}

TEST_CASE("the destructor writes everything that was accepted") {
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str(), "", std::nullopt, 3, 120);
        for (int i = 0; i < 5000; ++i) w.add_scalar("x", i, i);
    }
    auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 5001);
    for (int i = 0; i < 5000; ++i) REQUIRE(ev[1 + i].step() == i);
}

TEST_CASE("close() is idempotent, a later add_* starts a new file as in PyTorch") {
    TempDir tmp;
    tblog::SummaryWriter w(tmp.str());
    w.add_scalar("x", 1, 1);
    w.close();
    w.close();
    w.flush();  // a no-op after close, as in PyTorch: no new file
    CHECK(tbtest::event_files(tmp.path()).size() == 1);
    w.add_scalar("x", 2, 2);
    w.flush();
    auto files = tbtest::event_files(tmp.path());
    REQUIRE(files.size() == 2);
    std::size_t total = 0;
    for (auto& f : files) total += tbtest::read_events(f).size();
    CHECK(total == 4);  // two headers, two scalars
}

TEST_CASE("purge_step writes file_version and SessionLog START at that step") {
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str(), "", /*purge_step=*/42);
        w.add_scalar("x", 1, 42, 5.0);
    }
    auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 4);
    CHECK(ev[1].step() == 42);
    CHECK(ev[1].file_version() == "brain.Event:2");
    CHECK(ev[2].step() == 42);
    REQUIRE(ev[2].has_session_log());
    CHECK(ev[2].session_log().status() == tensorboard::SessionLog::START);
    CHECK(ev[3].summary().value(0).tag() == "x");
}

TEST_CASE("default log_dir is runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>") {
    TempDir tmp;
    const auto old = fs::current_path();
    fs::current_path(tmp.path());
    std::string logdir;
    {
        tblog::SummaryWriter w("", "_lr0.1");
        logdir = w.get_logdir();
    }
    fs::current_path(old);
    const std::regex re(R"(runs/[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_(.+)_lr0\.1)");
    std::smatch m;
    REQUIRE(std::regex_match(logdir, m, re));
    CHECK(m[1] == tblog::detail::hostname());
    CHECK(tbtest::event_files(tmp.path() / logdir).size() == 1);
}

TEST_CASE("bad input gives a clear exception and writes nothing") {
    TempDir tmp;
    tblog::SummaryWriter w(tmp.str());
    try {
        w.add_scalar("", 1.0, 0);
        FAIL("empty tag accepted");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("tag must not be empty") != std::string::npos);
    }
    CHECK_THROWS_AS(w.add_scalars("", {{"a", 1.0}}), std::invalid_argument);
    CHECK_THROWS_WITH(w.add_scalars("m", {{"", 1.0}}), Catch::Contains("'m'"));
    w.close();
    CHECK(tbtest::read_dir_events(tmp.path()).size() == 1);  // only the header
    CHECK_THROWS_AS(tblog::SummaryWriter(tmp.str(), "", std::nullopt, 0), std::invalid_argument);
}

TEST_CASE("an unwritable log_dir throws std::system_error naming it") {
    TempDir tmp;
    std::ofstream(tmp / "plainfile") << "x";
    const std::string bad = tmp / "plainfile/sub";  // a path through a regular file
    try {
        tblog::SummaryWriter w(bad);
        FAIL("no exception");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find(bad) != std::string::npos);
    }
}

TEST_CASE("a write failure (file size limit) surfaces as an error and loses nothing") {
    TempDir tmp;
    std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of a signal
    rlimit old{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    tblog::SummaryWriter w(tmp.str());
    w.flush();
    const auto file = tbtest::only_event_file(tmp.path());
    const auto header_size = fs::file_size(file);
    rlimit small = old;
    small.rlim_cur = header_size + 100;  // room for about three scalar records
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    for (int i = 0; i < 50; ++i) w.add_scalar("x", i, i);
    CHECK_THROWS_AS(w.flush(), std::system_error);
    CHECK_THROWS_AS(w.add_scalar("x", 99, 99), std::system_error);  // not accepted
    REQUIRE(setrlimit(RLIMIT_FSIZE, &old) == 0);  // space again
    CHECK_NOTHROW(w.flush());                     // the retry writes what was kept
    w.add_scalar("x", 50, 50);
    CHECK_NOTHROW(w.close());
    auto ev = tbtest::read_events(file);
    REQUIRE(ev.size() == 52);
    for (int i = 0; i <= 50; ++i) CHECK(ev[1 + i].step() == i);
    std::signal(SIGXFSZ, SIG_DFL);
}

TEST_CASE("discard_new never blocks and accounts for every event") {
    TempDir tmp;
    tblog::WriterOptions opt;
    opt.log_dir = tmp.str();
    opt.max_queue = 1;
    opt.overflow = tblog::OverflowPolicy::discard_new;
    tblog::SummaryWriter w(opt);
    const int n = 20000;
    for (int i = 0; i < n; ++i) w.add_scalar("x", i, i);
    w.close();
    const auto written = tbtest::read_dir_events(tmp.path()).size() - 1;
    CHECK(written + w.dropped_events() == static_cast<std::size_t>(n));
    CHECK(written >= 1);
}
