// --max_memory under concurrency: one growing logdir served twice in-process, unbudgeted and
// with a budget so small that every payload and scalar chunk spills as soon as it is loaded.
// A writer appends every kind in rounds; meanwhile each server's loader runs passes (ingesting,
// spilling, the reservoirs evicting payloads and reusing their cache-file slots) and reader
// threads hit the routes that read payloads and scalar points back (listings, image and audio
// bytes, mesh data, histograms, text, PR curves, graphs, scalar charts, CSV, multirun POSTs).
//
// Deterministic in its assertions: during the churn an answer is only checked to be
// well-formed (200 with parseable JSON / a PNG / a WAV / a CSV / the graph; a blob listed a moment ago may
// be 404, sampled out since); at the checkpoint after each round (writer flushed, threads
// joined, one more pass on each server) every answer of the budgeted server is the same bytes
// as the unbudgeted one's. Bounded by rounds and requests, not by time.
//
// Run it by hand under the sanitizers too (CI runs only the non-viewer tests there):
//   cmake -S . -B build/tsan -DTBLOG_SANITIZE=thread -DTBLOG_BUILD_VIEWER=ON && cmake --build build/tsan --target test_viewer_spill_stress
// TBLOG_VIEW_TEST_PORT=N: the servers listen on N and N+1 (default: any free ports).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "tblog/writer.hpp"
#include "viewer_test_support.hpp"

using vtest::enc;
using vtest::json;
namespace fs = std::filesystem;
namespace tv = tblog::view;

namespace {

constexpr int kRuns = 3, kRounds = 5, kStepsPerRound = 600;
constexpr int kReaders = 6, kRequestsPerReader = 120, kMaxPassesPerRound = 100;
constexpr std::uint64_t kBudget = 48 * 1024;

const char* const kRunNames[kRuns] = {"r0", "r1", "r2"};

// One round of every kind for every run: steps [round * kStepsPerRound, +kStepsPerRound).
// Payloads are big enough to spill (>= Payload::kMinSpill) and more than the samples keep,
// so the reservoirs replace spilled payloads while readers read them.
void write_round(std::vector<std::unique_ptr<tblog::SummaryWriter>>& ws, int round) {
    std::mt19937 rng(static_cast<std::uint32_t>(round * 7919 + 1));
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (int r = 0; r < kRuns; ++r) {
        tblog::SummaryWriter& w = *ws[static_cast<std::size_t>(r)];
        for (int k = 0; k < kStepsPerRound; ++k) {
            const std::int64_t step = std::int64_t{round} * kStepsPerRound + k;
            const double wall = 1.7e9 + static_cast<double>(step);
            w.add_scalar("loss", 1.0 / static_cast<double>(step + 1) + r, step, wall);
            w.add_scalar("acc", static_cast<double>((step * (r + 3)) % 17) / 17.0, step, wall);
            if (k % 30 == 0) {
                std::vector<double> values(200);
                for (auto& v : values) v = unit(rng) * 4 - static_cast<double>(step % 5);
                w.add_histogram("weights", tblog::TensorView(values), step, "tensorflow", wall);
                w.add_text("notes", "## step " + std::to_string(step) + "\n\n" + std::string(300 + k, 'x'), step, wall);
            }
            if (k % 50 == 0) {
                std::vector<std::uint8_t> img(3 * 16 * 16);
                for (auto& b : img) b = static_cast<std::uint8_t>(rng());
                w.add_image("noise", tblog::TensorView(img.data(), {3, 16, 16}), step, wall);
                std::vector<float> sound(1500);
                for (auto& x : sound) x = unit(rng) * 2 - 1;
                w.add_audio("hiss", tblog::TensorView(sound), step, 8000, wall);
                std::vector<int> labels(100);
                std::vector<float> preds(100);
                for (int i = 0; i < 100; ++i) labels[static_cast<std::size_t>(i)] = static_cast<int>(rng() % 2),
                                              preds[static_cast<std::size_t>(i)] = unit(rng);
                w.add_pr_curve("pr", tblog::TensorView(labels), tblog::TensorView(preds), step, 127, std::nullopt, wall);
            }
            if (k % 200 == 0) {
                std::vector<float> verts(3 * 40);
                for (auto& x : verts) x = unit(rng);
                w.add_mesh("cloud", tblog::TensorView(verts.data(), {1, 40, 3}), std::nullopt, std::nullopt,
                           std::nullopt, step, wall);
            }
        }
        if (round == 0) {
            std::vector<tblog::GraphNode> nodes(30);  // a chain layer0/linear -> ... -> layer29/linear
            for (std::size_t n = 0; n < nodes.size(); ++n) {
                nodes[n].name = "layer" + std::to_string(n) + "/linear";
                nodes[n].op = "aten::linear";
                nodes[n].output_shapes = {{8, 64}};
                if (n) nodes[n].inputs = {nodes[n - 1].name};
            }
            w.add_graph(nodes, 1.7e9);
        }
        w.flush();
    }
}

tv::Options options(const fs::path& logdir, std::uint64_t max_memory, int port_offset) {
    tv::Options o = vtest::TestServer::options(logdir, 0, "");
    o.max_memory = max_memory;
    if (const char* p = std::getenv("TBLOG_VIEW_TEST_PORT")) o.port = std::atoi(p) + port_offset;
    return o;
}

struct Request {
    std::string path;
    std::string form;  // POST body when not empty
};

// The requests that read payloads and points, per run; no blob bytes (those come from listings).
std::vector<Request> base_requests() {
    std::vector<Request> out;
    for (const char* plugin : {"scalars", "histograms", "images", "audio", "text", "pr_curves", "mesh"})
        out.push_back({std::string("/data/plugin/") + plugin + "/tags", ""});
    out.push_back({"/data/runs", ""});
    for (const char* run : kRunNames) {
        const std::string q = std::string("?run=") + run;
        out.push_back({"/data/plugin/scalars/scalars" + q + "&tag=loss", ""});
        out.push_back({"/data/plugin/scalars/scalars" + q + "&tag=acc&format=csv", ""});
        out.push_back({"/data/tblog/scalars" + q + "&tag=loss&buckets=50", ""});
        out.push_back({"/data/tblog/scalars" + q + "&tag=acc&buckets=7&start_step=100&end_step=1777", ""});
        out.push_back({"/data/plugin/histograms/histograms" + q + "&tag=weights", ""});
        out.push_back({"/data/plugin/distributions/distributions" + q + "&tag=weights", ""});
        out.push_back({"/data/plugin/text/text" + q + "&tag=notes/text_summary", ""});
        out.push_back({"/data/plugin/pr_curves/pr_curves" + q + "&tag=pr", ""});
        out.push_back({"/data/plugin/graphs/graph" + q, ""});
        out.push_back({"/data/plugin/images/images" + q + "&tag=noise&sample=0", ""});
        out.push_back({"/data/plugin/audio/audio" + q + "&tag=hiss&sample=0", ""});
        out.push_back({"/data/plugin/mesh/meshes" + q + "&tag=cloud", ""});
    }
    out.push_back({"/data/plugin/histograms/histograms_multirun", "tag=weights&runs=r0&runs=r2"});
    out.push_back({"/data/plugin/images/images_multirun", "tag=noise&runs=r1&runs=r0&sample=0"});
    out.push_back({"/data/tblog/scalars_multirun", "tag=loss&runs=r0&runs=r1&runs=r2&buckets=100"});
    return out;
}

// The blob requests a listing answer names: image/audio bytes, mesh vertices.
std::vector<Request> blob_requests(const std::string& list_path, const std::string& body) {
    std::vector<Request> out;
    const bool media = list_path.rfind("/data/plugin/images/images?", 0) == 0 || list_path.rfind("/data/plugin/audio/audio?", 0) == 0;
    const bool mesh = list_path.rfind("/data/plugin/mesh/meshes?", 0) == 0;
    if (!media && !mesh) return out;
    const json list = json::parse(body);
    if (list_path.rfind("/data/plugin/images/images?", 0) == 0 || list_path.rfind("/data/plugin/audio/audio?", 0) == 0) {
        const bool images = list_path.rfind("/data/plugin/images/", 0) == 0;
        for (const auto& e : list)
            out.push_back({std::string(images ? "/data/plugin/images/individualImage?" : "/data/plugin/audio/individualAudio?") +
                               e["query"].get<std::string>(),
                           ""});
    } else if (list_path.rfind("/data/plugin/mesh/meshes?", 0) == 0) {
        const std::size_t at = list_path.find("run=") + 4;
        const std::string run = list_path.substr(at, list_path.find('&', at) - at);
        for (const auto& m : list)
            out.push_back({"/data/plugin/mesh/data?run=" + run + "&tag=cloud&content_type=VERTEX&sample=0&step=" +
                               std::to_string(m["step"].get<std::int64_t>()),
                           ""});
    }
    return out;
}

bool is_blob(const std::string& path) {
    return path.find("individual") != std::string::npos || path.rfind("/data/plugin/mesh/data?", 0) == 0;
}

// Empty if `body` is a well-formed answer to `path`, else what is wrong.
std::string malformed(const std::string& path, int status, const std::string& body) {
    if (status == 404 && is_blob(path)) return body.empty() ? "empty 404" : "";  // sampled out since it was listed
    if (status != 200) return "status " + std::to_string(status) + ": " + body.substr(0, 200);
    if (path.find("individualImage") != std::string::npos)
        return body.rfind("\x89PNG\r\n\x1a\n", 0) == 0 ? "" : "not a PNG";
    if (path.find("individualAudio") != std::string::npos) return body.rfind("RIFF", 0) == 0 ? "" : "not a WAV";
    if (path.rfind("/data/plugin/mesh/data?", 0) == 0) return body.size() % 4 == 0 && !body.empty() ? "" : "bad vertices";
    if (path.rfind("/data/plugin/graphs/graph?", 0) == 0)  // a GraphDef in text format
        return body.rfind("node {", 0) == 0 && body.find("layer29/linear") != std::string::npos ? "" : "not the graph";
    if (path.find("format=csv") != std::string::npos)
        return body.rfind("Wall time,Step,Value", 0) == 0 ? "" : "not the CSV";
    return json::accept(body) ? "" : "not JSON: " + body.substr(0, 200);
}

class Client {
public:
    explicit Client(int port) : c_("127.0.0.1", port) { c_.set_read_timeout(60, 0); }
    // Status and body, or status -1 and the error if there was no answer.
    std::pair<int, std::string> send(const Request& q) {
        auto r = q.form.empty() ? c_.Get(q.path.c_str())
                                : c_.Post(q.path.c_str(), q.form, "application/x-www-form-urlencoded");
        if (!r) return {-1, httplib::to_string(r.error())};
        return {r->status, r->body};
    }

private:
    httplib::Client c_;
};

// Every answer at a checkpoint, with the blob requests its listings name, keyed by request.
std::vector<std::pair<std::string, std::string>> checkpoint_answers(vtest::TestServer& s) {
    Client c(s.viewer().port());
    std::vector<std::pair<std::string, std::string>> out;
    std::vector<Request> todo = base_requests();
    for (std::size_t i = 0; i < todo.size(); ++i) {
        const Request q = todo[i];
        const auto [status, body] = c.send(q);
        INFO(q.path << " " << q.form);
        REQUIRE(status == 200);
        REQUIRE(malformed(q.path, status, body).empty());
        out.emplace_back(q.path + " " + q.form, body);
        for (auto& b : blob_requests(q.path, body)) todo.push_back(std::move(b));
    }
    return out;
}

// Payloads in the cache file, and payloads big enough to spill still in RAM.
std::pair<std::size_t, std::size_t> payloads(vtest::TestServer& s) {
    std::size_t spilled = 0, resident = 0;
    auto count = [&](const tv::Payload& p) {
        spilled += p.spilled();
        resident += !p.spilled() && p.size() >= tv::Payload::kMinSpill;
    };
    for (const auto& run : s.viewer().store().runs()) {
        std::shared_lock lk(run->mutex);
        for (const auto& [tag, ser] : run->series) {
            for (const auto& it : ser.tensors.items()) count(it.value);
            for (const auto& it : ser.blobs.items())
                for (const auto& b : it.value) count(b);
        }
    }
    return {spilled, resident};
}

}  // namespace

TEST_CASE("memory budget under concurrency: readers, a writer and the spilling loader, answers equal at every checkpoint") {
    tbtest::TempDir dir;
    std::vector<std::unique_ptr<tblog::SummaryWriter>> writers;
    for (const char* run : kRunNames) writers.push_back(std::make_unique<tblog::SummaryWriter>((dir.path() / run).string()));
    write_round(writers, 0);

    vtest::TestServer full(options(dir.path(), 0, 0));
    vtest::TestServer small(options(dir.path(), kBudget, 1));

    std::mutex mu;
    std::vector<std::string> errors;  // from the threads (Catch2's macros are not thread-safe)
    std::atomic<std::size_t> answered{0}, sampled_out{0};
    auto fail = [&](std::string e) {
        std::lock_guard lk(mu);
        if (errors.size() < 20) errors.push_back(std::move(e));
    };

    for (int round = 1; round <= kRounds; ++round) {
        INFO("round " << round);
        std::vector<std::thread> threads, loaders;
        std::atomic<int> reading{kReaders};
        threads.emplace_back([&] { write_round(writers, round); });
        // each server's loader runs passes for as long as the readers read (at most kMaxPassesPerRound)
        for (vtest::TestServer* s : {&full, &small})
            loaders.emplace_back([s, &fail, &reading] {
                try {
                    for (int p = 0; p < kMaxPassesPerRound && reading.load() > 0; ++p) s->reload();
                } catch (const std::exception& e) {
                    fail(std::string("loader pass: ") + e.what());
                }
            });
        for (int t = 0; t < kReaders; ++t)
            threads.emplace_back([&, t, round] {
                // two readers of the unbudgeted server, the others of the spilling one
                Client c((t < 2 ? full : small).viewer().port());
                const std::vector<Request> base = base_requests();
                std::vector<Request> blobs;
                for (int i = 0; i < kRequestsPerReader; ++i) {
                    const bool blob = !blobs.empty() && i % 3 == 2;
                    const Request q = blob ? blobs[static_cast<std::size_t>(i * 7 + t) % blobs.size()]
                                           : base[static_cast<std::size_t>(i * 5 + t * 11 + round) % base.size()];
                    const auto [status, body] = c.send(q);
                    const std::string bad = status < 0 ? "no answer: " + body : malformed(q.path, status, body);
                    if (!bad.empty()) {
                        fail("round " + std::to_string(round) + ": " + q.path + " " + q.form + ": " + bad);
                        continue;
                    }
                    ++answered;
                    if (status == 404) {
                        ++sampled_out;
                        continue;
                    }
                    if (!q.form.empty() || is_blob(q.path)) continue;
                    auto listed = blob_requests(q.path, body);
                    if (!listed.empty()) blobs = std::move(listed);
                }
                --reading;
            });
        for (auto& th : threads) th.join();
        for (auto& th : loaders) th.join();
        {
            std::lock_guard lk(mu);
            INFO((errors.empty() ? std::string() : errors.front()));
            REQUIRE(errors.empty());
        }

        // Checkpoint: everything written is flushed; one more pass and both hold the same data.
        full.reload();
        small.reload();
        CHECK(full.scalars("r1", "loss").size() == static_cast<std::size_t>((round + 1) * kStepsPerRound));
        // The budget is below what RAM keeps of spilled data (summaries, sizes and offsets),
        // so every payload worth spilling is spilled.
        const auto [spilled, unspilled] = payloads(small);
        CHECK(spilled > 100);
        CHECK(unspilled == 0);
        CHECK(payloads(full).first == 0);
        const auto want = checkpoint_answers(full), got = checkpoint_answers(small);
        REQUIRE(want.size() == got.size());
        CHECK(want.size() > 80);
        for (std::size_t i = 0; i < want.size(); ++i) {
            INFO(want[i].first);
            REQUIRE(want[i].first == got[i].first);
            CHECK(want[i].second.size() == got[i].second.size());
            CHECK(want[i].second == got[i].second);
        }
    }
    const json st = small.get_json("/data/tblog/status");
    CHECK(st["data_cache_bytes"].get<std::uint64_t>() > 100 * 1024);
    INFO("answers " << answered << ", sampled out meanwhile " << sampled_out);
    CHECK(answered >= static_cast<std::size_t>(kRounds * kReaders * kRequestsPerReader));
}
