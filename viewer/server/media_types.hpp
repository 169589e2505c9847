// Content types of stored media, as TensorBoard's plugins derive them.
#pragma once

#include <string>
#include <string_view>

namespace tblog::view {

// imghdr's verdict on image bytes, mapped as TensorBoard maps it (images plugin and the
// timeseries plugin's img_mime_type_detector).
inline const char* image_mime(const std::string& b) {
    auto starts = [&](std::string_view p) { return b.compare(0, p.size(), p) == 0; };
    if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
    if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
    if ((b.size() >= 10 && (b.compare(6, 4, "JFIF") == 0 || b.compare(6, 4, "Exif") == 0)) ||
        starts("\xff\xd8\xff\xdb"))
        return "image/jpeg";
    if (starts("BM")) return "image/bmp";
    return "application/octet-stream";
}

// Content types by file extension, both ways: the web UI's files (served by extension) and
// exported answers (named by their content type, so that any static host serves them right).
struct FileType {
    std::string_view ext;
    const char* mime;
};
inline constexpr FileType kFileTypes[] = {
    {"html", "text/html; charset=utf-8"},  {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},          {"map", "application/json"},
    {"svg", "image/svg+xml"},              {"png", "image/png"},
    {"ico", "image/x-icon"},               {"jpg", "image/jpeg"},
    {"gif", "image/gif"},                  {"bmp", "image/bmp"},
    {"wav", "audio/wav"},                  {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},                  {"csv", "text/csv; charset=utf-8"},
    {"tsv", "text/tab-separated-values"},  {"woff2", "font/woff2"},
    {"woff", "font/woff"},                 {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},          {"txt", "text/plain; charset=utf-8"},
    {"pbtxt", "text/x-protobuf"},          {"bin", "application/octet-stream"},
};

// The content type of a file named `path` (application/octet-stream when unknown).
inline const char* file_mime(std::string_view path) {
    const auto dot = path.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
    for (const auto& t : kFileTypes)
        if (t.ext == ext) return t.mime;
    return "application/octet-stream";
}

// The extension for content type `mime` (parameters ignored; "bin" when unknown).
inline std::string_view mime_extension(std::string_view mime) {
    const auto base = [](std::string_view m) { return m.substr(0, m.find(';')); };
    for (const auto& t : kFileTypes)
        if (base(t.mime) == base(mime)) return t.ext;
    if (base(mime) == "audio/x-wav") return "wav";
    return "bin";
}

}  // namespace tblog::view
