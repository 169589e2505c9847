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

}  // namespace tblog::view
