// A profiler trace file as the profile routes and the loader read it: its Chrome trace-event
// JSON text (inflated, or converted from an XSpace), and the Profile dashboard's timeline of
// it (trace_columns.hpp), built once per file version and kept in the Store
// (trace_timelines.hpp).
#pragma once

#include <stdexcept>
#include <string>

#include "loader.hpp"
#include "logdir_files.hpp"
#include "store.hpp"

namespace tblog::view {

// Why a trace could not be read: an HTTP status (403 outside the logdir, 404 gone, 500 not
// valid) and the reason.
struct TraceFileError : std::runtime_error {
    int status;
    TraceFileError(int s, const std::string& what) : std::runtime_error(what), status(s) {}
};

// The trace as Chrome trace-event JSON text, from an opened file; throws TraceFileError.
std::string trace_json(const ProfileTrace& t, const LogdirFile& file);

// The file's version as the loader saw it (the key its timeline is kept under).
TraceFileVersion trace_version(const ProfileTrace& t);

// The timeline of `t`: kept in the Store, built (through the logdir containment check) when
// this version of the file has none yet.
TraceTimeline trace_timeline(const Options& options, Store& store, const ProfileTrace& t);

// Builds the timeline of `t` unless this version was built before (the loader, ahead of the
// page; an answer dropped past the byte budget is left to trace_timeline()).
void prebuild_trace_timeline(const Options& options, Store& store, const ProfileTrace& t);

}  // namespace tblog::view
