// The cache behind the answer cache and the Profile timelines (versioned_cache.hpp) on its own:
// one build per version however many ask at once, the byte bound with least recently used
// values dropped first, a new version rebuilding, oversize values handed out but not kept,
// and builds that fail (null or an exception) never leaving a waiting caller behind.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "versioned_cache.hpp"

using tblog::view::VersionedCache;

namespace {

using Cache = VersionedCache<std::string, int, std::string>;

// A value costs its length (so budgets in tests are in characters).
std::uint64_t length(const std::string&, const int&, const std::string& v) { return v.size(); }

Cache::Ptr value(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

// A gate builds wait at until the test opens it.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return open; });
    }
    void release() {
        {
            std::lock_guard lk(mu);
            open = true;
        }
        cv.notify_all();
    }
};

// Returns once `arrived()` holds: the threads just started have reached the point the test
// is about (a build begun, a caller blocked waiting for it), seen in the cache's own counts
// rather than guessed from a sleep, so the order the test checks holds on any machine.
template <class Pred>
void until(Pred arrived) {
    while (!arrived()) std::this_thread::yield();
}

}  // namespace

TEST_CASE("versioned cache: callers asking while a value is built wait for that one build") {
    Cache cache(1000, 1000, length);
    Gate gate;
    std::atomic<int> builds{0}, returned{0};
    std::vector<Cache::Ptr> got(8);
    std::vector<std::thread> askers;
    for (int i = 0; i < 8; ++i)
        askers.emplace_back([&, i] {
            got[i] = cache.get("k", 1, [&] {
                ++builds;
                gate.wait();
                return value("built");
            });
            ++returned;
        });
    until([&] { return builds == 1 && cache.stats().waiting == 7; });
    CHECK(builds == 1);    // one caller builds ...
    CHECK(returned == 0);  // ... and the others wait for it
    gate.release();
    for (auto& t : askers) t.join();
    CHECK(builds == 1);
    for (const auto& p : got) CHECK(p == got[0]);  // the very same value
    CHECK(*got[0] == "built");
    const auto s = cache.stats();
    CHECK(s.builds == 1);
    CHECK(s.hits == 7);
    CHECK(s.entries == 1);
    CHECK(s.bytes == 5);
    // asked again: kept, not built
    CHECK(cache.get("k", 1, [&] { ++builds; return value("again"); }) == got[0]);
    CHECK(builds == 1);
    CHECK(cache.stats().hits == 8);
}

TEST_CASE("versioned cache: bounded in bytes, the least recently used value dropped first") {
    Cache cache(30, 30, length);
    int builds = 0;
    const auto get = [&](const std::string& key) {
        return *cache.get(key, 1, [&] {
            ++builds;
            return value(std::string(10, key[0]));
        });
    };
    get("a"), get("b"), get("c");
    CHECK(cache.stats().bytes == 30);
    CHECK(cache.stats().dropped == 0);
    CHECK(get("a") == std::string(10, 'a'));  // used: now the most recent
    CHECK(builds == 3);
    get("d");  // 40 > 30: b, the least recently used, goes
    CHECK(cache.stats().bytes == 30);
    CHECK(cache.stats().dropped == 1);
    CHECK(cache.peek("a", 1));
    CHECK(!cache.peek("b", 1));
    CHECK(cache.peek("c", 1));
    CHECK(cache.peek("d", 1));
    CHECK(get("b") == std::string(10, 'b'));  // dropped: built again when asked for
    CHECK(builds == 5);
    CHECK(!cache.peek("a", 1));  // peeked before c and d, so the least recent then
    CHECK(cache.stats().entries == 3);
    CHECK(cache.stats().dropped == 2);
    cache.retain([](const std::string& k) { return k != "c"; });
    CHECK(!cache.peek("c", 1));
    CHECK(cache.stats().entries == 2);
    CHECK(cache.stats().bytes == 20);
}

TEST_CASE("versioned cache: another version of a key is built anew and replaces the kept one") {
    Cache cache(100, 100, length);
    int builds = 0;
    const auto get = [&](int version) {
        return *cache.get("k", version, [&] {
            ++builds;
            return value("v" + std::to_string(version));
        });
    };
    CHECK(get(1) == "v1");
    CHECK(get(1) == "v1");
    CHECK(builds == 1);
    CHECK(get(2) == "v2");
    CHECK(builds == 2);
    CHECK(cache.stats().entries == 1);  // one value per key
    CHECK(cache.stats().bytes == 2);
    CHECK(!cache.peek("k", 1));
    CHECK(get(1) == "v1");  // one version per key: asked for the old one, it is built again
    CHECK(builds == 3);

    // Two versions built at once: the one started last is kept, whichever finishes last.
    Gate slow;
    Cache::Ptr old_answer;
    std::atomic<bool> late_building{false};
    std::thread late([&] {
        old_answer = cache.get("k", 7, [&] {
            late_building = true;
            slow.wait();
            return value("v7");
        });
    });
    until([&] { return late_building.load(); });
    CHECK(get(8) == "v8");  // started after 7's build, finished before it
    slow.release();
    late.join();
    CHECK(*old_answer == "v7");  // its caller has its answer ...
    CHECK(cache.peek("k", 8));    // ... but the kept one is still the later build's
    CHECK(!cache.peek("k", 7));
}

TEST_CASE("versioned cache: a value larger than max_value is handed to its waiters but not kept") {
    Cache cache(100, 10, length);
    Gate gate;
    std::atomic<int> builds{0};
    const auto build = [&] {
        ++builds;
        gate.wait();
        return value(std::string(20, 'x'));
    };
    Cache::Ptr first, second;
    std::thread a([&] { first = cache.get("big", 1, build); });
    until([&] { return builds == 1; });
    std::thread b([&] { second = cache.get("big", 1, build); });
    until([&] { return cache.stats().waiting == 1; });
    CHECK(builds == 1);
    gate.release();
    a.join();
    b.join();
    CHECK(builds == 1);
    CHECK(second == first);  // the waiter got the build's value
    CHECK(first->size() == 20);
    CHECK(cache.stats().entries == 0);  // not kept
    CHECK(cache.stats().bytes == 0);
    CHECK(cache.get("big", 1, build)->size() == 20);  // so built again next time
    CHECK(builds == 2);
    // a value as large as the whole budget would push out every other: max_value <= budget
    Cache small(10, 1000, length);
    CHECK(small.get("k", 1, [] { return value(std::string(11, 'y')); })->size() == 11);
    CHECK(small.stats().entries == 0);
}

TEST_CASE("versioned cache: a build that throws or returns nothing wakes its waiters, who build their own") {
    Cache cache(100, 100, length);
    for (const bool throws : {true, false}) {
        Gate gate;
        std::atomic<int> builds{0};
        bool thrown = false;
        Cache::Ptr failed, waited;
        std::thread a([&] {
            try {
                failed = cache.get("k", throws ? 1 : 2, [&]() -> Cache::Ptr {
                    ++builds;
                    gate.wait();
                    if (throws) throw std::runtime_error("no");
                    return nullptr;  // e.g. an error answer: nothing to share
                });
            } catch (const std::runtime_error&) {
                thrown = true;
            }
        });
        until([&] { return builds == 1; });
        std::thread b([&] {
            waited = cache.get("k", throws ? 1 : 2, [&] {
                ++builds;
                return value("own");
            });
        });
        until([&] { return cache.stats().waiting == 1; });
        CHECK(builds == 1);
        gate.release();
        a.join();
        b.join();  // would hang if the failure left the waiter waiting
        CHECK(thrown == throws);
        CHECK(!failed);
        REQUIRE(waited);
        CHECK(*waited == "own");  // the waiter built its own ...
        CHECK(builds == 2);
        CHECK(cache.stats().entries == 0);  // ... unkept: the next caller builds again, and may keep it
        CHECK(*cache.get("k", throws ? 1 : 2, [] { return value("kept"); }) == "kept");
        CHECK(cache.stats().entries == 1);
        cache.retain([](const std::string&) { return false; });
    }
    CHECK(cache.stats().entries == 0);
}
