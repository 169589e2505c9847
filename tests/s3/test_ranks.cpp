// Many ranks, one logdir: 8 processes at once, locally and on S3 (Ceph RGW). Nothing lost,
// nothing overwritten, one event file (or segment series) per writer, names unique per host,
// pid and rank.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "s3/s3_support.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kRanks = 8, kSteps = 300;

// Runs body(rank) in kRanks child processes at once; true when all exit 0.
template <class F>
bool run_ranks(F&& body) {
    std::vector<pid_t> pids;
    for (int r = 0; r < kRanks; ++r) {
        const pid_t p = fork();
        if (p == 0) {
            int rc = 0;
            try {
                body(r);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "rank %d: %s\n", r, e.what());
                rc = 1;
            }
            std::_Exit(rc);
        }
        pids.push_back(p);
    }
    bool ok = true;
    for (auto p : pids) {
        int st = 0;
        waitpid(p, &st, 0);
        ok = ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    return ok;
}

void log_rank(const std::string& log_dir, int rank, tblog::RankPolicy policy) {
    tblog::WriterOptions o;
    o.log_dir = log_dir;
    o.rank = rank;
    o.world_size = kRanks;
    o.rank_policy = policy;
    o.flush_secs = 1;
    tblog::SummaryWriter w(o);
    for (int i = 0; i < kSteps; ++i) {
        w.add_scalar("loss", rank * 1000 + i, i);
        if (i % 100 == 99) w.flush();
    }
}

// Checks one rank's run directory: every step once, in order, the rank's own values.
void check_rank_dir(const fs::path& dir, int rank) {
    INFO(dir.string());
    const auto ev = tbs3::run_events(dir);
    std::vector<std::int64_t> steps;
    for (const auto& e : ev)
        if (e.has_summary()) {
            steps.push_back(e.step());
            CHECK(e.summary().value(0).simple_value() == float(rank * 1000 + e.step()));
        }
    REQUIRE(steps.size() == std::size_t(kSteps));
    for (int i = 0; i < kSteps; ++i) CHECK(steps[i] == i);
    for (const auto& f : tbtest::event_files(dir))
        CHECK(f.filename().string().find(".rank" + std::to_string(rank)) != std::string::npos);
}

}  // namespace

TEST_CASE("per_rank: 8 processes write rank<k> sub-runs of one local logdir") {
    tbtest::TempDir d;
    REQUIRE(run_ranks([&](int r) { log_rank(d / "run", r, tblog::RankPolicy::per_rank); }));
    for (int r = 0; r < kRanks; ++r) check_rank_dir(d.path() / "run" / ("rank" + std::to_string(r)), r);
    CHECK(tbtest::event_files(d.path() / "run").empty());
}

TEST_CASE("per_rank: 8 processes write one S3 logdir at once") {
    if (!tbs3::have_s3()) return;
    const auto bucket = tbs3::fresh_bucket("ranks");
    REQUIRE(run_ranks([&](int r) { log_rank("s3://" + bucket + "/run", r, tblog::RankPolicy::per_rank); }));
    tbtest::TempDir m;
    tbs3::mirror(bucket, "run/", m.path());
    std::set<std::string> bases;
    for (int r = 0; r < kRanks; ++r) {
        const auto dir = m.path() / ("rank" + std::to_string(r));
        check_rank_dir(dir, r);
        for (const auto& f : tbtest::event_files(dir)) {
            const auto n = f.filename().string();
            bases.insert(n.substr(0, n.size() - 9));  // one writer's segments share a base
        }
    }
    CHECK(bases.size() == std::size_t(kRanks));  // no two writers on one file
}

TEST_CASE("rank0: only rank 0 writes, other ranks' writers are no-ops") {
    tbtest::TempDir d;
    REQUIRE(run_ranks([&](int r) { log_rank(d / "run", r, tblog::RankPolicy::rank0); }));
    const auto files = tbtest::event_files(d.path() / "run");
    REQUIRE(files.size() == 1);
    check_rank_dir(d.path() / "run", 0);
    CHECK(std::distance(fs::directory_iterator(d.path() / "run"), fs::directory_iterator()) == 1);
}

TEST_CASE("ranks from RANK / WORLD_SIZE as torchrun sets them, when asked") {
    tbtest::TempDir d;
    REQUIRE(run_ranks([&](int r) {
        setenv("RANK", std::to_string(r).c_str(), 1);
        setenv("WORLD_SIZE", std::to_string(kRanks).c_str(), 1);
        tblog::WriterOptions o;
        o.log_dir = d / "run";
        o.rank_policy = tblog::RankPolicy::per_rank;
        o.ranks_from_env = true;
        tblog::SummaryWriter w(o);
        for (int i = 0; i < kSteps; ++i) w.add_scalar("loss", r * 1000 + i, i);
    }));
    for (int r = 0; r < kRanks; ++r) check_rank_dir(d.path() / "run" / ("rank" + std::to_string(r)), r);
    // Without ranks_from_env the variables are ignored: one plain run.
    setenv("RANK", "3", 1);
    setenv("WORLD_SIZE", "8", 1);
    { tblog::SummaryWriter w(d / "plain"); w.add_scalar("a", 1, 1); }
    CHECK(tbtest::event_files(d.path() / "plain").size() == 1);
    unsetenv("RANK");
    unsetenv("WORLD_SIZE");
    tblog::WriterOptions bad;
    bad.log_dir = d / "bad";
    bad.rank = 8;
    bad.world_size = 8;
    CHECK_THROWS_AS(tblog::SummaryWriter(bad), std::invalid_argument);
}
