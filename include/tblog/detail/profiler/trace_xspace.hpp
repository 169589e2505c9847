// Writes one recorded profiling session as an XSpace protobuf, <host>.xplane.pb: the file
// the current TensorBoard profile plugin (tensorboard-plugin-profile / xprof) reads. The
// schema is proto/xplane.proto (openxla/tsl's tsl/profiler/protobuf/xplane.proto); it is
// encoded with tblog's own wire writer (detail/wire/wire.hpp), like every other file tblog
// writes, so the library still needs no libprotobuf.
//
// Layout (what xprof's converters expect of a host trace):
//   XSpace.hostnames = [host]; one XPlane "/host:CPU" (tsl's kHostThreadsPlaneName);
//   one XLine per thread: id = OS thread id, name = thread name, display_name = "name (tid)",
//     timestamp_ns = the session start in Unix nanoseconds, events sorted by offset;
//   XEventMetadata per distinct span/op/counter name (id = name id + 1);
//   XEvent offset_ps / duration_ps in picoseconds from the line's timestamp;
//   XStats: "scope", "sequence_number", "fwd_thread_id", "input_shapes" on ops; "value" on
//     counter samples (duration 0).
// Step markers follow xprof/convert/xplane_to_step_events.cc and tsl's xplane_schema:
// IsExplicitHostStepMarker() takes an event whose name starts with "train" (and holds no
// '/') as a host step, and group_events.cc treats an event with the "_r" (kIsRoot) stat as
// the root of a step group; "step_num" (kStepNum) and "group_id" (kGroupId) number it. So
// every step is an event with metadata name "train", display_name "ProfilerStep#<n>" (what
// the JSON trace and PyTorch call it) and stats step_num = group_id = n, _r = 1.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "tblog/detail/profiler/trace_writer.hpp"
#include "tblog/detail/wire/wire.hpp"

namespace tblog::detail::trace {

namespace xspace {
// Field numbers of proto/xplane.proto.
enum : std::uint32_t {
    kSpacePlanes = 1, kSpaceHostnames = 4,
    kPlaneId = 1, kPlaneName = 2, kPlaneLines = 3, kPlaneEventMetadata = 4, kPlaneStatMetadata = 5,
    kLineId = 1, kLineName = 2, kLineTimestampNs = 3, kLineEvents = 4, kLineDurationPs = 9, kLineDisplayId = 10,
    kLineDisplayName = 11,
    kEventMetadataId = 1, kEventOffsetPs = 2, kEventDurationPs = 3, kEventStats = 4,
    kStatMetadataId = 1, kStatDouble = 2, kStatInt64 = 4, kStatStr = 5,
    kEvMetaId = 1, kEvMetaName = 2, kEvMetaDisplayName = 4,
    kStMetaId = 1, kStMetaName = 2,
    kMapKey = 1, kMapValue = 2,
};
// Stat metadata ids this writer uses.
enum : std::int64_t {
    kStepNum = 1, kGroupId, kIsRoot, kScope, kSeqNr, kFwdThread, kInputShapes, kValue, kStatCount
};
inline const char* const kStatNames[] = {"", "step_num", "group_id", "_r", "scope", "sequence_number",
                                         "fwd_thread_id", "input_shapes", "value"};
inline constexpr const char* kHostPlaneName = "/host:CPU";
inline constexpr long kCounterLineId = 0;  // the sampler's process counters
}  // namespace xspace

// Encodes the session; returns the XSpace bytes.
inline std::string encode_xspace(const Session& s, const std::vector<CollectedThread>& threads,
                                 const std::vector<std::string>& names) {
    using namespace xspace;
    std::string out;
    std::size_t total = 0;
    for (const auto& t : threads) total += t.records.size();
    out.reserve(total * 24 + (1 << 16));
    wire::ProtoWriter w(out);
    w.string(kSpaceHostnames, s.hostname);
    const auto plane = w.begin(kSpacePlanes);
    w.int64_nonzero(kPlaneId, 0);
    w.string(kPlaneName, kHostPlaneName);

    const std::int64_t base_ns = static_cast<std::int64_t>(std::llround(s.start_unix_s * 1e9));
    const std::int64_t step_meta0 = static_cast<std::int64_t>(names.size()) + 1;
    const std::int64_t rss_meta = step_meta0 + static_cast<std::int64_t>(s.steps.size()), cpu_meta = rss_meta + 1;
    const auto ps = [&](std::int64_t t_ns) { return (t_ns - s.start_ns) * 1000; };
    const auto stat_int = [&](std::int64_t meta, std::int64_t v) {
        const auto m = w.begin(kEventStats);
        w.int64(kStatMetadataId, meta);
        w.int64(kStatInt64, v);
        w.end(m);
    };
    const auto stat_str = [&](std::int64_t meta, std::string_view v) {
        const auto m = w.begin(kEventStats);
        w.int64(kStatMetadataId, meta);
        w.string(kStatStr, v);
        w.end(m);
    };
    const auto stat_double = [&](std::int64_t meta, double v) {
        const auto m = w.begin(kEventStats);
        w.int64(kStatMetadataId, meta);
        w.float64(kStatDouble, v);
        w.end(m);
    };
    const auto event_head = [&](std::int64_t meta, std::int64_t t0, std::int64_t dur_ns) {
        w.int64(kEventMetadataId, meta);
        w.int64(kEventOffsetPs, ps(t0));  // in a oneof: written even when zero
        w.int64_nonzero(kEventDurationPs, std::max<std::int64_t>(dur_ns, 0) * 1000);
    };
    const auto line_head = [&](long id, const std::string& name) {
        w.int64_nonzero(kLineId, id);
        w.string_nonempty(kLineName, name);
        w.int64(kLineTimestampNs, base_ns);
        w.int64_nonzero(kLineDurationPs, (s.end_ns - s.start_ns) * 1000);
        w.int64_nonzero(kLineDisplayId, id);
        w.string(kLineDisplayName, name + " (" + std::to_string(id) + ")");
    };

    // Which threads got a line, so a thread that only called step() gets one too.
    std::vector<long> tids;
    for (const auto& t : threads) tids.push_back(t.tid);
    std::vector<CollectedThread> step_only;
    for (const auto& m : s.steps)
        if (std::find(tids.begin(), tids.end(), m.tid) == tids.end()) {
            tids.push_back(m.tid);
            step_only.push_back({m.tid, m.tid == s.pid ? "main" : "thread " + std::to_string(m.tid), {}});
        }

    std::vector<std::uint32_t> order;  // record indexes by start; steps as ~index
    const auto write_line = [&](const CollectedThread& th) {
        order.clear();
        const auto& v = th.records;
        for (std::uint32_t i = 0; i < v.size(); ++i)
            if (v[i].phase != Phase::op_info) order.push_back(i);
        for (std::uint32_t k = 0; k < s.steps.size(); ++k)
            if (s.steps[k].tid == th.tid) order.push_back(~k);
        const auto t0_of = [&](std::uint32_t i) { return i & 0x80000000u ? s.steps[~i].t0 : v[i].t0; };
        const auto t1_of = [&](std::uint32_t i) {
            if (i & 0x80000000u) return s.steps[~i].t1;
            const Record& r = v[i];
            return r.phase == Phase::complete || r.phase == Phase::op ? r.t1 : r.t0;
        };
        // By start, the enclosing (longer) event first, so nesting reads top-down.
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto ta = t0_of(a), tb = t0_of(b);
            return ta != tb ? ta < tb : t1_of(a) > t1_of(b);
        });
        const auto line = w.begin(kPlaneLines);
        line_head(th.tid, th.name);
        for (const std::uint32_t i : order) {
            const auto ev = w.begin(kLineEvents);
            if (i & 0x80000000u) {
                const auto& m = s.steps[~i];
                event_head(step_meta0 + (~i), m.t0, m.t1 - m.t0);
                stat_int(kStepNum, m.step);
                stat_int(kGroupId, m.step);
                stat_int(kIsRoot, 1);
            } else {
                const Record& r = v[i];
                const std::int64_t meta = static_cast<std::int64_t>(r.name) + 1;
                switch (r.phase) {
                    case Phase::complete:
                        event_head(meta, r.t0, r.t1 - r.t0);
                        break;
                    case Phase::op:
                        event_head(meta, r.t0, r.t1 - r.t0);
                        if (const Record* info = op_info_of(v, i)) {
                            stat_str(kScope, op_scope_name(static_cast<OpScope>(info->aux)));
                            stat_int(kSeqNr, info->t0);
                            stat_int(kFwdThread, info->t1);
                            if (info->name != kNoName) stat_str(kInputShapes, names.at(info->name));
                        }
                        break;
                    case Phase::instant:
                        event_head(meta, r.t0, 0);
                        break;
                    case Phase::counter:
                        event_head(meta, r.t0, 0);
                        stat_double(kValue, r.value);
                        break;
                    case Phase::op_info:
                        break;
                }
            }
            w.end(ev);
        }
        w.end(line);
    };
    for (const auto& th : threads)
        if (!th.records.empty() || std::any_of(s.steps.begin(), s.steps.end(), [&](const StepMark& m) { return m.tid == th.tid; }))
            write_line(th);
    for (const auto& th : step_only) write_line(th);

    if (!s.samples.empty()) {  // the sampler's readings, on a line of their own
        const auto line = w.begin(kPlaneLines);
        line_head(kCounterLineId, "Process counters");
        for (std::size_t i = 0; i < s.samples.size(); ++i) {
            const auto& a = s.samples[i];
            auto ev = w.begin(kLineEvents);
            event_head(rss_meta, a.t_ns, 0);
            stat_double(kValue, static_cast<double>(a.rss_bytes) / (1024.0 * 1024.0));
            w.end(ev);
            if (i + 1 < s.samples.size()) {
                ev = w.begin(kLineEvents);
                event_head(cpu_meta, a.t_ns, 0);
                stat_double(kValue, cpu_percent(a, s.samples[i + 1]));
                w.end(ev);
            }
        }
        w.end(line);
    }

    const auto event_meta = [&](std::int64_t id, std::string_view name, std::string_view display) {
        const auto entry = w.begin(kPlaneEventMetadata);  // map<int64, XEventMetadata> entry
        w.int64(kMapKey, id);
        const auto m = w.begin(kMapValue);
        w.int64(kEvMetaId, id);
        w.string(kEvMetaName, name);
        w.string_nonempty(kEvMetaDisplayName, display);
        w.end(m);
        w.end(entry);
    };
    for (std::size_t i = 0; i < names.size(); ++i) event_meta(static_cast<std::int64_t>(i) + 1, names[i], {});
    for (std::size_t k = 0; k < s.steps.size(); ++k)
        event_meta(step_meta0 + static_cast<std::int64_t>(k), "train", "ProfilerStep#" + std::to_string(s.steps[k].step));
    event_meta(rss_meta, "Resident memory", "Resident memory (MiB)");
    event_meta(cpu_meta, "CPU utilization", "CPU utilization (percent)");
    for (std::int64_t id = 1; id < kStatCount; ++id) {
        const auto entry = w.begin(kPlaneStatMetadata);
        w.int64(kMapKey, id);
        const auto m = w.begin(kMapValue);
        w.int64(kStMetaId, id);
        w.string(kStMetaName, kStatNames[id]);
        w.end(m);
        w.end(entry);
    }
    w.end(plane);
    return out;
}

// Writes the XSpace to `path` (through `<path>.tmp`, renamed when complete).
inline void write_xspace(const std::string& path, const Session& s, const std::vector<CollectedThread>& threads,
                         const std::vector<std::string>& names) {
    const std::string bytes = encode_xspace(s, threads, names);
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw std::system_error(errno, std::generic_category(), "tblog: cannot create " + tmp);
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw std::system_error(errno, std::generic_category(), "tblog: cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace tblog::detail::trace
