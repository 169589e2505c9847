// tblog-view export: a static snapshot of every dashboard.
//
//   tblog-view export --logdir runs --out report/ [--name ..] [--description ..] [--runs REGEX]
//                     [--tags REGEX] [--max_points N] [--include scalars,images,...]
//                     [--single-file report.html [--max_size_mb 50]] [--open [--port P]]
//                     [--max_memory 2G] [--cache_dir DIR]
//
// The export is the server's own answers, recorded: the logdir is loaded by the normal loader
// into the normal store, the same routes as a live tblog-view answer every request the web UI
// makes for the selected runs, tags and kinds (asked in-process, no sockets), and each answer
// is written as one file named by static_key.hpp. The UI, finding the export's manifest in
// its index.html, reads those files instead of asking a server (web/src/lib/staticSite.ts).
// Where the files go (a folder or a bucket): destination.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "options.hpp"

namespace tblog::view::exporting {

// The kinds --include chooses from (the web UI's dashboards).
extern const char* const kKinds[];

struct ExportOptions {
    Options viewer;                        // --logdir, --samples_per_plugin, --port (for --open), ...
    std::filesystem::path out;             // --out: folder export (or an s3:// prefix: destination.hpp)
    std::filesystem::path single_file;     // --single-file: one HTML file (or an s3:// URL)
    std::string name, description;
    std::string runs_regex, tags_regex;    // ECMAScript, searched (not anchored); empty: all
    std::size_t max_points = 1000;         // columns of the drawn (downsampled) scalar series
    std::set<std::string> include;         // kinds; empty: all
    double max_size_mb = 50;               // single-file budget
    bool open = false;
    std::string created;                   // ISO 8601 UTC; SOURCE_DATE_EPOCH or now when empty
};

// `argv` after the "export" word. Throws std::invalid_argument with a message for the user.
ExportOptions parse_export_options(int argc, const char* const* argv);
std::string export_usage();

struct ExportSummary {
    std::size_t files = 0;                        // data files (answers)
    std::uint64_t bytes = 0;                      // everything written
    std::map<std::string, std::uint64_t> by_kind; // answer bytes per kind
    std::uint64_t spilled_bytes = 0;              // data kept in the cache file (--max_memory)
};

// Writes the export; throws std::runtime_error (e.g. over the single-file budget: the message
// lists what to leave out) or std::invalid_argument.
ExportSummary run_export(const ExportOptions& options);

// Serves `dir` as static files on 127.0.0.1:`port` (0: any) until interrupted (--open);
// `on_ready` gets the URL once listening.
void serve_folder(const std::filesystem::path& dir, int port, void (*on_ready)(const std::string& url));

}  // namespace tblog::view::exporting
