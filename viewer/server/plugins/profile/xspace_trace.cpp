// One process per XPlane (pid = its index + 1, named by the plane), one thread per XLine
// (tid = line id, named by its display name), one event per XEvent: "X" with ts/dur in
// microseconds from the earliest line's timestamp; a zero-length event with a "value" stat
// is a counter sample ("C"), other zero-length events are instants. XStats become args
// (ref_value resolved to the referenced stat name). Events of tblog's profiler get back
// the names its JSON trace uses: ops (a "scope" stat) are cat "cpu_op" with Kineto's arg
// names, step markers (xprof's "train" events with step_num) are "ProfilerStep#<n>".
#include "xspace_trace.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "tblog/detail/profiler/trace_json.hpp"
#include "xplane.pb.h"

namespace tblog::view {

namespace {

using namespace tblog::detail::trace;
namespace tp = tensorflow::profiler;

void append_stat_value(std::string& o, const tp::XPlane& plane, const tp::XStat& st) {
    switch (st.value_case()) {
        case tp::XStat::kDoubleValue: append_number(o, st.double_value()); break;
        case tp::XStat::kUint64Value: o += std::to_string(st.uint64_value()); break;
        case tp::XStat::kInt64Value: append_int(o, st.int64_value()); break;
        case tp::XStat::kStrValue: append_json_string(o, st.str_value()); break;
        case tp::XStat::kBytesValue: append_json_string(o, "<" + std::to_string(st.bytes_value().size()) + " bytes>"); break;
        case tp::XStat::kRefValue: {
            const auto it = plane.stat_metadata().find(static_cast<std::int64_t>(st.ref_value()));
            append_json_string(o, it == plane.stat_metadata().end() ? std::string() : it->second.name());
            break;
        }
        default: o += "null";
    }
}

const std::string& stat_name(const tp::XPlane& plane, std::int64_t id) {
    static const std::string none;
    const auto it = plane.stat_metadata().find(id);
    return it == plane.stat_metadata().end() ? none : it->second.name();
}

// tblog's op stats under the names Kineto (and tblog's JSON trace) give them.
std::string arg_name(const std::string& stat) {
    if (stat == "sequence_number") return "Sequence number";
    if (stat == "fwd_thread_id") return "Fwd thread id";
    if (stat == "input_shapes") return "Input Dims";
    return stat;
}

}  // namespace

std::string xspace_to_trace_json(std::string_view bytes) {
    tp::XSpace space;
    if (!space.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw std::runtime_error("not an XSpace protobuf");
    std::int64_t base_ns = INT64_MAX;
    for (const auto& p : space.planes())
        for (const auto& l : p.lines()) base_ns = std::min(base_ns, l.timestamp_ns());
    if (base_ns == INT64_MAX) base_ns = 0;

    std::string o = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"xspace\",\"hostname\":";
    append_json_string(o, space.hostnames_size() ? space.hostnames(0) : std::string());
    o += "},\"traceEvents\":[";
    bool first = true;
    const auto next = [&] {
        if (!first) o += ",\n";
        first = false;
    };
    for (int pi = 0; pi < space.planes_size(); ++pi) {
        const auto& plane = space.planes(pi);
        const std::string pid = std::to_string(pi + 1);
        next();
        o += "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + pid + ",\"tid\":0,\"args\":{\"name\":";
        append_json_string(o, plane.name());
        o += "}}";
        for (const auto& line : plane.lines()) {
            const std::string tid = std::to_string(line.id());
            next();
            o += "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"args\":{\"name\":";
            append_json_string(o, line.name().empty() ? line.display_name() : line.name());
            o += "}}";
            const std::int64_t line_ps = (line.timestamp_ns() - base_ns) * 1000;
            for (const auto& ev : line.events()) {
                const auto mit = plane.event_metadata().find(ev.metadata_id());
                const tp::XEventMetadata* meta = mit == plane.event_metadata().end() ? nullptr : &mit->second;
                std::string name = meta ? (meta->display_name().empty() ? meta->name() : meta->display_name()) : "";
                const std::int64_t t_ns = (line_ps + ev.offset_ps()) / 1000;
                const tp::XStat* value = nullptr;
                bool op = false, step = false;
                for (const auto& st : ev.stats()) {
                    const auto& sn = stat_name(plane, st.metadata_id());
                    if (sn == "value" && st.value_case() == tp::XStat::kDoubleValue) value = &st;
                    if (sn == "scope") op = true;
                    if (sn == "step_num") step = true;
                }
                next();
                if (ev.duration_ps() == 0 && value) {
                    o += "{\"ph\":\"C\",\"name\":";
                    append_json_string(o, meta ? meta->name() : name);
                    o += ",\"pid\":" + pid + ",\"tid\":" + tid + ",\"ts\":";
                    append_us(o, t_ns);
                    o += ",\"args\":{\"value\":";
                    append_number(o, value->double_value());
                    o += "}}";
                    continue;
                }
                o += ev.duration_ps() == 0 ? "{\"ph\":\"i\",\"s\":\"t\",\"name\":" : "{\"ph\":\"X\",\"name\":";
                append_json_string(o, name);
                o += ",\"cat\":";
                o += op ? "\"cpu_op\"" : step ? "\"step\"" : "\"xspace\"";
                o += ",\"pid\":" + pid + ",\"tid\":" + tid + ",\"ts\":";
                append_us(o, t_ns);
                if (ev.duration_ps() != 0) {
                    o += ",\"dur\":";
                    append_us(o, ev.duration_ps() / 1000);
                }
                if (ev.stats_size()) {
                    o += ",\"args\":{";
                    bool first_arg = true;
                    for (const auto& st : ev.stats()) {
                        const auto& sn = stat_name(plane, st.metadata_id());
                        if (!first_arg) o += ',';
                        first_arg = false;
                        append_json_string(o, step && sn == "step_num" ? std::string("step") : arg_name(sn));
                        o += ':';
                        if (sn == "input_shapes" && st.value_case() == tp::XStat::kStrValue)
                            o += st.str_value();  // already a JSON array
                        else
                            append_stat_value(o, plane, st);
                    }
                    o += '}';
                }
                o += '}';
            }
        }
    }
    o += "]}\n";
    return o;
}

}  // namespace tblog::view
