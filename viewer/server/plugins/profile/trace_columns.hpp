// Chrome trace-event JSON -> the Profile dashboard's columnar form (/data/tblog/profile/
// trace_columns): the timeline the web UI's parseTrace (viewer/web/src/lib/trace.ts) builds,
// built here once, so the page reads typed arrays instead of parsing a 100+ MB JSON text and
// building a million objects from it. Same rules as parseTrace: one track per (pid, tid) with
// spans sorted by start (longer first), nesting depth, parent and self time; counter tracks
// per (pid, name, series); flows resolved to their spans (or made from ops' sequence numbers
// when a trace has no fwdbwd flows); Kineto's [memory] events.
//
// Layout (little-endian): "TBTRACE1", u32 header length, u32 0, the header (JSON, UTF-8),
// zero padding to a multiple of 8, then the arrays: the header's "arrays" gives each one's
// [byte offset from the end of that padding (a multiple of 8), element count]:
//   strings: u8, every name and category (UTF-8), one after the other; strings_at: u32, one
//   more than strings, where each starts in that text in UTF-16 code units; flow_ids and
//   flow_ids_at: the same for each flow's id;
//   span_ts, span_dur, span_self: f64 (us); span_name, span_cat: u32 (index of a string);
//   span_parent: i32 (index in its track, -1 at the top); span_depth: u32;
//   span_args: u32, one more than spans (byte offsets into args, the span's args as JSON
//   text, empty when it has none); args: u8;
//   counter_ts, counter_value: f64; flow_from_track, flow_from_span, flow_to_track,
//   flow_to_span, flow_cat: u32 (thread track index, span index within it; cat: a string).
// Spans and counter samples of all tracks follow each other in track order (header
// "threads"[i].spans and "counters"[i].n are the counts).
#pragma once

#include <string>
#include <string_view>

namespace tblog::view {

// Throws std::runtime_error when `json_text` is not JSON holding a trace.
std::string trace_columns(std::string_view json_text);

}  // namespace tblog::view
