// Where an export's files go: a local folder, or objects under an s3:// prefix (`--out
// s3://bucket/site/`, `--single-file s3://bucket/report.html`), written through the viewer's S3
// storage (log_storage.hpp: same client, credentials and endpoint as `--logdir s3://...`).
//
// The objects hold the same bytes as the folder's files, each with the content type a static
// host gives its extension (media_types.hpp), so that a bucket website serves the export as is.
// Over an earlier export the folder's data/ and assets/ are replaced whole; in a bucket, index.html
// is stored last and the earlier export's leftover data/ and assets/ objects are deleted after it,
// so that a visitor never meets an index.html whose files are not there yet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tblog::view::exporting {

// A file of the export: its path inside the folder ("index.html", "data/<name>.json") and bytes.
struct SiteFile {
    std::string path;
    std::string_view bytes;
};

// Writes the folder at `out` (a directory, or an s3:// prefix). Refuses a non-empty `out` that
// is not an earlier export. Throws std::runtime_error naming `out` (and the S3 URL and error code).
void write_site(const std::string& out, const std::vector<SiteFile>& files);

// Writes one file (the single-file export) at `out` (a path, or an s3:// URL stored with
// `content_type`).
void write_one(const std::string& out, std::string_view bytes, const std::string& content_type);

}  // namespace tblog::view::exporting
