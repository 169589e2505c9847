// Turns one recorded profiling session into a Chrome Trace Event file (JSON Object Format,
// gzip-compressed). The layout is documented in docs/profiler.md; in short:
//   {"displayTimeUnit":"ms","otherData":{...},"traceEvents":[
//     {"ph":"M","name":"process_name",...}, {"ph":"M","name":"thread_name",...},
//     {"ph":"X","name":"forward","pid":P,"tid":T,"ts":12.345,"dur":3.000}, ...]}
// Times are microseconds since the session started, printed to the nanosecond.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tblog/detail/profiler/trace_buffer.hpp"
#include "tblog/detail/profiler/trace_json.hpp"
#include "tblog/detail/profiler/trace_proc.hpp"

namespace tblog::detail::trace {

// A thread's buffer and its track name; the writer drains the buffer as it writes.
struct ThreadTrack {
    long tid = 0;
    std::string name;
    ThreadBuffer* buffer = nullptr;
};

// A step boundary recorded by Profiler::step(): "ProfilerStep#<step>" spans [t0, t1].
struct StepMark {
    std::int64_t step = 0;
    std::int64_t t0 = 0, t1 = 0;
    long tid = 0;
};

struct Session {
    std::int64_t start_ns = 0, end_ns = 0;  // steady clock
    double start_unix_s = 0;                // wall clock at start_ns
    long pid = 0;
    std::string process_name, hostname;
    const NameTable* names = nullptr;       // Record::name indexes it
    std::vector<ThreadTrack> threads;
    std::vector<StepMark> steps;
    std::vector<ProcSample> samples;        // CPU / memory sampler readings, in time order
    std::uint64_t dropped_events = 0;
};

namespace json_detail {

// `{"ph":"<ph>","name":<name>,"pid":P,"tid":T` with the name already escaped.
inline void head(std::string& o, char ph, std::string_view escaped_name, std::string_view pid_tid) {
    o += "{\"ph\":\"";
    o += ph;
    o += "\",\"name\":";
    o += escaped_name;
    o += pid_tid;
}

inline std::string pid_tid(long pid, long tid) {
    std::string s = ",\"pid\":";
    append_int(s, pid);
    s += ",\"tid\":";
    append_int(s, tid);
    return s;
}

inline std::string escaped(std::string_view s) {
    std::string o;
    append_json_string(o, s);
    return o;
}

inline void complete(std::string& o, std::string_view name, std::string_view pt, const char* cat,
                     std::int64_t t0, std::int64_t t1) {
    head(o, 'X', name, pt);
    o += ",\"cat\":\"";
    o += cat;
    o += "\",\"ts\":";
    append_us(o, t0);
    o += ",\"dur\":";
    append_us(o, std::max<std::int64_t>(t1 - t0, 0));
    o += '}';
}

inline void counter(std::string& o, std::string_view name, std::string_view pt, std::string_view series,
                    std::int64_t t, double v) {
    head(o, 'C', name, pt);
    o += ",\"ts\":";
    append_us(o, t);
    o += ",\"args\":{";
    append_json_string(o, series);
    o += ':';
    append_number(o, v);
    o += "}}";
}

inline void metadata(std::string& o, const char* what, std::string_view pt, std::string_view value) {
    head(o, 'M', escaped(what), pt);
    o += ",\"args\":{\"name\":";
    append_json_string(o, value);
    o += "}}";
}

}  // namespace json_detail

// One thread's events of a session, drained from its buffer (an op is followed by its
// op_info record). The JSON and the XSpace writer both read these.
struct CollectedThread {
    long tid = 0;
    std::string name;
    std::vector<Record> records;
};

// Drains every thread buffer of `s`, keeping what belongs to the session (events closed
// after an earlier session's stop are left out, an op together with its op_info).
inline std::vector<CollectedThread> collect(Session& s) {
    std::vector<CollectedThread> out;
    for (auto& th : s.threads) {
        CollectedThread c{th.tid, th.name, {}};
        bool skip_info = false;
        th.buffer->drain([&](const Record& r) {
            if (r.phase == Phase::op_info) {
                if (!skip_info && !c.records.empty() && c.records.back().phase == Phase::op) c.records.push_back(r);
                return;
            }
            skip_info = r.t0 < s.start_ns;
            if (!skip_info) c.records.push_back(r);
        });
        out.push_back(std::move(c));
    }
    return out;
}

// The op_info record after an op, or nullptr (an op whose info did not fit the budget).
inline const Record* op_info_of(const std::vector<Record>& v, std::size_t i) {
    return i + 1 < v.size() && v[i + 1].phase == Phase::op_info ? &v[i + 1] : nullptr;
}

// A forward op's link to the backward op autograd ran for it: the first op (by start
// time) of each scope with a given (forward thread, sequence number). Drawn as a flow
// arrow, as Kineto's "fwdbwd" flows are.
struct FlowLink {
    std::int64_t seq = 0;
    long fwd_tid = 0, bwd_tid = 0;
    std::int64_t fwd_t0 = 0, bwd_t0 = 0;
};

inline std::vector<FlowLink> forward_backward_links(const std::vector<CollectedThread>& threads) {
    struct First {
        std::int64_t t0 = INT64_MAX;
        long tid = 0;
    };
    std::unordered_map<std::uint64_t, std::pair<First, First>> by_key;  // (fwd tid, seq) -> (fwd, bwd)
    const auto key = [](long tid, std::int64_t seq) {
        return (static_cast<std::uint64_t>(tid) << 40) ^ static_cast<std::uint64_t>(seq);
    };
    for (const auto& th : threads)
        for (std::size_t i = 0; i < th.records.size(); ++i) {
            const Record& r = th.records[i];
            const Record* info = r.phase == Phase::op ? op_info_of(th.records, i) : nullptr;
            if (!info || info->t0 < 0) continue;
            const auto scope = static_cast<OpScope>(info->aux);
            if (scope != OpScope::forward && scope != OpScope::backward) continue;
            // Both name the forward op's thread (the framework's id for it): a backward op as
            // "the thread my forward ran on", a forward op as its own; 0 means this OS thread.
            const long fwd_tid = info->t1 ? static_cast<long>(info->t1) : th.tid;
            auto& slot = by_key[key(fwd_tid, info->t0)];
            First& f = scope == OpScope::forward ? slot.first : slot.second;
            if (r.t0 < f.t0) f = {r.t0, th.tid};
        }
    std::vector<FlowLink> links;
    for (const auto& [k, fb] : by_key) {
        if (fb.first.t0 == INT64_MAX || fb.second.t0 == INT64_MAX) continue;
        links.push_back({static_cast<std::int64_t>(k & ((1ull << 40) - 1)), fb.first.tid, fb.second.tid, fb.first.t0,
                         fb.second.t0});
    }
    std::sort(links.begin(), links.end(), [](const FlowLink& a, const FlowLink& b) { return a.fwd_t0 < b.fwd_t0; });
    return links;
}

// Writes `s` to `path` (gzip) from the collected events.
inline void write_chrome_trace(const std::string& path, const Session& s, const std::vector<CollectedThread>& threads,
                               const std::vector<std::string>& all_names) {
    using namespace json_detail;
    GzipFile gz(path);
    std::string o;
    o.reserve(1 << 21);
    const auto rel = [&](std::int64_t t) { return t - s.start_ns; };
    std::vector<std::string> names(all_names.size());  // escaped on first use
    const auto name_of = [&](std::uint32_t id) -> const std::string& {
        std::string& e = names.at(id);
        if (e.empty()) e = escaped(all_names[id]);
        return e;
    };
    bool first = true;
    const auto next = [&] {
        o += first ? "\n" : ",\n";
        first = false;
        if (o.size() > (1u << 20)) {
            gz.write(o);
            o.clear();
        }
    };

    o += "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"tblog\",\"hostname\":";
    append_json_string(o, s.hostname);
    o += ",\"start_time_unix_s\":";
    append_number(o, s.start_unix_s);
    o += ",\"duration_us\":";
    append_us(o, s.end_ns - s.start_ns);
    o += ",\"dropped_events\":";
    append_int(o, static_cast<long long>(s.dropped_events));
    o += "},\n\"traceEvents\":[";

    const std::string process = pid_tid(s.pid, 0);
    next();
    metadata(o, "process_name", process, s.process_name);
    for (const auto& m : s.steps) {
        next();
        complete(o, escaped("ProfilerStep#" + std::to_string(m.step)), pid_tid(s.pid, m.tid), "step",
                 rel(m.t0), rel(m.t1));
        o.pop_back();
        o += ",\"args\":{\"step\":";
        append_int(o, m.step);
        o += "}}";
    }
    std::vector<long> named;  // tids given a thread_name
    // Events go out in the order each thread closed them (viewers sort by time).
    for (const auto& th : threads) {
        const std::string pt = pid_tid(s.pid, th.tid);
        const auto& v = th.records;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const Record& r = v[i];
            switch (r.phase) {
                case Phase::complete:
                    next();
                    complete(o, name_of(r.name), pt, "span", rel(r.t0), rel(r.t1));
                    break;
                case Phase::op: {
                    next();
                    // As Kineto writes LibTorch ops: cat cpu_op, the same arg names.
                    complete(o, name_of(r.name), pt, "cpu_op", rel(r.t0), rel(r.t1));
                    if (const Record* info = op_info_of(v, i)) {
                        o.pop_back();
                        o += ",\"args\":{\"scope\":\"";
                        o += op_scope_name(static_cast<OpScope>(info->aux));
                        o += "\",\"Sequence number\":";
                        append_int(o, info->t0);
                        o += ",\"Fwd thread id\":";
                        append_int(o, info->t1);
                        if (info->name != kNoName) {
                            o += ",\"Input Dims\":";
                            o += all_names.at(info->name);  // a JSON array, built by the adapter
                        }
                        o += "}}";
                    }
                    break;
                }
                case Phase::instant:
                    next();
                    head(o, 'i', name_of(r.name), pt);
                    o += ",\"s\":\"t\",\"ts\":";
                    append_us(o, rel(r.t0));
                    o += '}';
                    break;
                case Phase::counter:
                    next();
                    counter(o, name_of(r.name), pt, "value", rel(r.t0), r.value);
                    break;
                case Phase::op_info:
                    break;
            }
        }
        if (!v.empty()) {
            next();
            metadata(o, "thread_name", pt, th.name);
            named.push_back(th.tid);
        }
    }
    for (const auto& m : s.steps) {  // a thread that only called step() still gets a name
        if (std::find(named.begin(), named.end(), m.tid) != named.end()) continue;
        next();
        metadata(o, "thread_name", pid_tid(s.pid, m.tid), m.tid == s.pid ? "main" : "thread " + std::to_string(m.tid));
        named.push_back(m.tid);
    }
    // Forward -> backward flow arrows ("s" on the forward op, "f" binding to the enclosing
    // backward op), as Kineto writes its "fwdbwd" flows.
    for (const auto& l : forward_backward_links(threads)) {
        for (int end = 0; end < 2; ++end) {
            next();
            head(o, end ? 'f' : 's', "\"fwdbwd\"", pid_tid(s.pid, end ? l.bwd_tid : l.fwd_tid));
            o += ",\"cat\":\"fwdbwd\",\"id\":";
            append_int(o, l.seq);
            o += ",\"ts\":";
            append_us(o, rel(end ? l.bwd_t0 : l.fwd_t0));
            o += end ? ",\"bp\":\"e\"}" : "}";
        }
    }
    // Process counters from the sampler: memory at every reading, CPU over each interval
    // (shown from the interval's start, as a counter track holds a value until the next).
    const std::string rss = escaped("Resident memory"), cpu = escaped("CPU utilization");
    for (std::size_t i = 0; i < s.samples.size(); ++i) {
        const auto& a = s.samples[i];
        next();
        counter(o, rss, process, "MiB", rel(a.t_ns), static_cast<double>(a.rss_bytes) / (1024.0 * 1024.0));
        if (i + 1 < s.samples.size()) {
            next();
            counter(o, cpu, process, "percent", rel(a.t_ns), cpu_percent(a, s.samples[i + 1]));
        }
    }
    o += "\n]}\n";
    gz.write(o);
    gz.finish();
}

}  // namespace tblog::detail::trace
