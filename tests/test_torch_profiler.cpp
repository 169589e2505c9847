// tblog::TorchOpRecorder (tblog/torch.hpp): on the same model and the same training steps,
// tblog's op spans have exactly the op names and call counts (and, with record_shapes, the
// input shapes) of LibTorch's own profiler (torch::autograd::profiler, the legacy API, which
// Debian's libtorch 1.13 has; Kineto is not built in), backward ops link to forward ops by
// sequence number, and outside the profile window no callbacks are registered. The trace is
// read back with zlib + nlohmann-json.
#include "tblog/torch.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include <torch/csrc/autograd/profiler_legacy.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "libtorch/pb_lite.hpp"

using json = nlohmann::json;
using pblite::TempDir;

namespace {

json read_gz_json(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string s;
    char buf[65536];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    gzclose(f);
    return json::parse(s);
}

// A small MLP trained with SGD on fixed data: forward, backward, optimizer step.
struct Model {
    torch::nn::Sequential net{torch::nn::Linear(4, 8), torch::nn::ReLU(), torch::nn::Linear(8, 2)};
    torch::optim::SGD opt{net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9)};
    torch::Tensor x = torch::rand({16, 4}), y = torch::rand({16, 2});
    void step() {
        opt.zero_grad();
        auto loss = torch::mse_loss(net->forward(x), y);
        loss.backward();
        opt.step();
    }
};

}  // namespace

TEST_CASE("LibTorch ops: same names and call counts as LibTorch's own profiler, same shapes") {
    torch::manual_seed(0);
    TempDir dir;
    tblog::ProfilerOptions po;
    po.sample_interval = std::chrono::milliseconds(0);
    po.hostname = "torchhost";
    tblog::Profiler prof(dir.str(), "1,2", po);
    tblog::TorchOpRecorder ops(prof, {/*record_shapes=*/true});
    Model m;
    using namespace torch::profiler::impl;
    torch::autograd::profiler::thread_event_lists theirs;
    bool attached_outside = false, attached_inside = false;
    for (int step = 0; step < 4; ++step) {
        if (step == 3) theirs = torch::autograd::profiler::disableProfilerLegacy();
        prof.step(step);
        if (step == 1)
            torch::autograd::profiler::enableProfilerLegacy(ProfilerConfig(ProfilerState::CPU, /*report_input_shapes=*/true));
        (step == 1 || step == 2 ? attached_inside : attached_outside) |= ops.attached();
        m.step();
    }
    CHECK(attached_inside);
    CHECK_FALSE(attached_outside);  // steps 0 and 3: nothing registered
    CHECK_FALSE(ops.attached());

    std::map<std::string, int> their_counts;
    std::map<std::string, std::set<std::string>> their_shapes;
    for (const auto& list : theirs)
        for (const auto& e : list) {
            if (e.kind() != torch::autograd::profiler::EventKind::PushRange) continue;
            ++their_counts[e.name()];
            their_shapes[e.name()].insert(json(e.shapes()).dump());
        }
    REQUIRE(prof.trace_files().size() == 1);
    const json trace = read_gz_json(prof.trace_files()[0]);
    std::map<std::string, int> our_counts;
    std::map<std::string, std::set<std::string>> our_shapes;
    std::map<std::int64_t, std::set<std::string>> fwd_by_seq, bwd_by_seq;
    for (const auto& e : trace["traceEvents"]) {
        if (e.value("cat", "") != "cpu_op") continue;
        const std::string name = e["name"];
        ++our_counts[name];
        our_shapes[name].insert(e["args"]["Input Dims"].dump());
        const std::int64_t seq = e["args"]["Sequence number"];
        if (seq < 0) continue;
        (e["args"]["scope"] == "backward" ? bwd_by_seq : fwd_by_seq)[seq].insert(name);
    }
    INFO("LibTorch's profiler saw " << json(their_counts).dump());
    INFO("tblog saw " << json(our_counts).dump());
    CHECK(our_counts.size() > 15);
    CHECK(our_counts == their_counts);
    CHECK(our_shapes == their_shapes);
    CHECK(our_counts["aten::addmm"] == 2 * 2);  // two Linear layers, two steps
    INFO("aten::addmm shapes: " << json(our_shapes["aten::addmm"]).dump());
    CHECK(our_shapes["aten::addmm"].count("[[8],[16,4],[4,8],[],[]]") == 1);  // bias, input, weight.t(), beta, alpha
    // Every backward node autograd ran belongs to a forward op of the same sequence number.
    REQUIRE(!bwd_by_seq.empty());
    for (const auto& [seq, names] : bwd_by_seq) {
        INFO("sequence number " << seq << ": " << json(names).dump());
        CHECK(fwd_by_seq.count(seq) == 1);
    }
    CHECK(bwd_by_seq.size() >= 5);  // addmm x2, relu, mse_loss, t x2 ...
    int flows = 0;
    for (const auto& e : trace["traceEvents"]) flows += e["ph"] == "s";
    CHECK(flows == static_cast<int>(bwd_by_seq.size()));
    // The XSpace file is beside it (decoded with protobuf in test_profiler: LibTorch cannot
    // share a process with the protobuf classes, see libtorch/pb_lite.hpp).
    REQUIRE(prof.xspace_files().size() == 1);
    CHECK(std::filesystem::file_size(prof.xspace_files()[0]) > 1000);
}

TEST_CASE("only one TorchOpRecorder at a time, ops on other threads get their own tracks") {
    TempDir dir;
    tblog::ProfilerOptions po;
    po.sample_interval = std::chrono::milliseconds(0);
    tblog::Profiler prof(dir.str(), "", po);
    tblog::TorchOpRecorder ops(prof);
    CHECK(ops.attached());  // the profiler was already recording
    CHECK_THROWS_AS(tblog::TorchOpRecorder(prof), std::invalid_argument);
    long worker_tid = 0;
    std::thread t([&] {
        worker_tid = tblog::detail::trace::current_tid();
        auto a = torch::ones({3, 3});
        auto b = torch::matmul(a, a);
        (void)b;
    });
    t.join();
    const json trace = read_gz_json(prof.stop());
    CHECK_FALSE(ops.attached());
    int on_worker = 0;
    for (const auto& e : trace["traceEvents"])
        if (e.value("cat", "") == "cpu_op" && e["tid"] == worker_tid) ++on_worker;
    CHECK(on_worker >= 2);  // aten::ones, aten::matmul, ...
}
