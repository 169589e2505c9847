// The web UI: the embedded files (web_assets.hpp) at their paths, index.html at "/" and for
// any extension-less path outside /data (client-side routes of a single-page app).
#include <string_view>

#include "media_types.hpp"
#include "routes.hpp"
#include "web_assets.hpp"

namespace tblog::view {

namespace {

const WebAsset* find_asset(std::string_view path) {
    for (std::size_t i = 0; i < kWebAssetCount; ++i)
        if (path == kWebAssets[i].path) return &kWebAssets[i];
    return nullptr;
}

void serve(const WebAsset& a, httplib::Response& res) {
    res.set_content(reinterpret_cast<const char*>(a.data), a.size, file_mime(a.path));
    // Hashed bundle names may be cached; index.html must be revalidated to pick up new builds.
    res.set_header("Cache-Control", std::string_view(a.path) == "index.html" ? "no-cache" : "max-age=3600");
}

}  // namespace

void register_web_routes(Router& srv, ServerContext&) {
    srv.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
        const std::string path = req.matches[1];
        if (path.rfind("data/", 0) == 0 || path == "data") return send_error(res, 404, "Not found: /" + path);
        if (path.empty() || path == "index.html") {
            if (const WebAsset* index = find_asset("index.html")) return serve(*index, res);
            return send_error(res, 404, "no web UI built in");
        }
        if (is_path_escape(path)) return send_error(res, 400, "refused: path leaves the web root");
        if (const WebAsset* a = find_asset(path)) return serve(*a, res);
        const auto slash = path.rfind('/');
        const std::string_view last = slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
        if (last.find('.') == std::string_view::npos)
            if (const WebAsset* index = find_asset("index.html")) return serve(*index, res);
        send_error(res, 404, "Not found: /" + path);
    });
}

}  // namespace tblog::view
