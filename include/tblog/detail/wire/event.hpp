// Event message encoding (proto/event.proto), the one place Events are assembled: the
// envelope around every Summary, add_graph's GraphDef and RunMetadata events, and the special
// events a writer emits (file_version header, SessionLog START). The add_scalar fast path
// (scalar_event.hpp) writes the same bytes by hand; tests check they agree.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tblog/detail/wire/wire.hpp"

namespace tblog::detail::event {

namespace field {
inline constexpr std::uint32_t kWallTime = 1;
inline constexpr std::uint32_t kStep = 2;
inline constexpr std::uint32_t kFileVersion = 3;
inline constexpr std::uint32_t kGraphDef = 4;
inline constexpr std::uint32_t kSummary = 5;
inline constexpr std::uint32_t kSessionLog = 7;
inline constexpr std::uint32_t kTaggedRunMetadata = 8;
inline constexpr std::uint32_t kSourceMetadata = 10;
inline constexpr std::uint32_t kSessionLogStatus = 1;
inline constexpr std::uint32_t kTaggedTag = 1;
inline constexpr std::uint32_t kTaggedRunMetadataBytes = 2;
inline constexpr std::uint32_t kSourceWriter = 1;
}  // namespace field

inline constexpr std::string_view kFileVersion = "brain.Event:2";
// SourceMetadata.writer: identifies the program that wrote the file (PyTorch's files say
// "tensorboard.summary.writer.event_file_writer"; ours say who really wrote them).
inline constexpr std::string_view kWriterName = "tblog";
inline constexpr int kSessionLogStart = 1;

// wall_time and step, the leading fields of every event. proto3: step 0 is not written.
inline void write_header(wire::ProtoWriter& w, double wall_time, std::int64_t step) {
    w.float64_nonzero(field::kWallTime, wall_time);
    w.int64_nonzero(field::kStep, step);
}

// First record of every event file.
inline std::string file_version(double wall_time) {
    std::string out;
    wire::ProtoWriter w(out);
    write_header(w, wall_time, 0);
    w.string(field::kFileVersion, kFileVersion);
    {
        wire::Nested src(w, field::kSourceMetadata);
        w.string(field::kSourceWriter, kWriterName);
    }
    return out;
}

// What PyTorch writes for purge_step: Event{step, file_version} then
// Event{step, session_log{status: START}}; the loader drops events at >= step that
// came before it.
inline std::string purge_marker_version(double wall_time, std::int64_t step) {
    std::string out;
    wire::ProtoWriter w(out);
    write_header(w, wall_time, step);
    w.string(field::kFileVersion, kFileVersion);
    return out;
}

inline std::string session_start(double wall_time, std::int64_t step) {
    std::string out;
    wire::ProtoWriter w(out);
    write_header(w, wall_time, step);
    {
        wire::Nested log(w, field::kSessionLog);  // its length is written when it ends: before `return`
        w.int64(field::kSessionLogStatus, kSessionLogStart);
    }
    return out;
}

// Event{wall_time, step, summary: <bytes>}.
inline void append_summary_event(std::string& out, double wall_time, std::int64_t step,
                                 std::string_view summary_bytes) {
    wire::ProtoWriter w(out);
    write_header(w, wall_time, step);
    w.bytes(field::kSummary, summary_bytes);
}

// The same with the Summary's fields written in place by `write_summary(ProtoWriter&)`,
// for a caller that would otherwise build the Summary bytes only to copy them.
template <class WriteSummary>
inline void append_summary_event_with(std::string& out, double wall_time, std::int64_t step,
                                      WriteSummary&& write_summary) {
    wire::ProtoWriter w(out);
    write_header(w, wall_time, step);
    wire::Nested summary(w, field::kSummary);
    write_summary(w);
}

// The same for a Summary whose size the writer knows beforehand (summary/audio.hpp): its
// bytes go straight into the event, nothing is shifted after a long body.
template <class WriteSummary>
inline void append_summary_event_sized(std::string& out, double wall_time, std::int64_t step,
                                       std::size_t summary_size, WriteSummary&& write_summary) {
    wire::ProtoWriter w(out);
    write_header(w, wall_time, step);
    w.begin_sized(field::kSummary, summary_size);
    const std::size_t at = out.size();
    write_summary(w);
    if (out.size() - at != summary_size) throw std::logic_error("tblog: a Summary's size was computed wrongly");
}

// Event{wall_time, graph_def: <GraphDef bytes>}, the first of add_graph's two events.
inline std::string graph_event(double wall_time, std::string_view graph_def_bytes) {
    std::string out;
    wire::ProtoWriter w(out);
    write_header(w, wall_time, 0);
    w.bytes(field::kGraphDef, graph_def_bytes);
    return out;
}

// Event{wall_time, tagged_run_metadata{tag, run_metadata: <RunMetadata bytes>}}, the second.
inline std::string tagged_run_metadata_event(double wall_time, std::string_view tag,
                                             std::string_view run_metadata_bytes) {
    std::string out;
    wire::ProtoWriter w(out);
    write_header(w, wall_time, 0);
    {
        wire::Nested trm(w, field::kTaggedRunMetadata);
        w.string(field::kTaggedTag, tag);
        w.bytes(field::kTaggedRunMetadataBytes, run_metadata_bytes);
    }
    return out;
}

inline std::string summary_event(double wall_time, std::int64_t step, std::string_view summary_bytes) {
    std::string out;
    append_summary_event(out, wall_time, step, summary_bytes);
    return out;
}

}  // namespace tblog::detail::event
