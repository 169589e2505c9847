#include "export/destination.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "log_storage.hpp"
#include "media_types.hpp"

namespace tblog::view::exporting {

namespace {

namespace fs = std::filesystem;

std::runtime_error failed(const std::string& out, const std::string& why) {
    return std::runtime_error("tblog-view export: cannot write " + out + ": " + why);
}

void write_file(const fs::path& p, std::string_view bytes) {
    if (p.has_parent_path()) fs::create_directories(p.parent_path());  // "report.html": none
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f.flush()) throw std::runtime_error("tblog-view export: cannot write " + p.string());
}

bool replaced_whole(std::string_view rel) { return rel.rfind("data/", 0) == 0 || rel.rfind("assets/", 0) == 0; }

std::runtime_error not_an_export(const std::string& out) {
    return std::runtime_error("tblog-view export: " + out + " exists and is not an earlier export; not writing into it");
}

void write_local_site(const fs::path& out, const std::vector<SiteFile>& files) {
    if (fs::exists(out) && !fs::is_empty(out)) {
        if (!fs::exists(out / "index.html") || !fs::exists(out / "data")) throw not_an_export(out.string());
        fs::remove_all(out / "data");  // an earlier export: replaced whole
        fs::remove_all(out / "assets");
    }
    for (const auto& f : files) write_file(out / f.path, f.bytes);
}

void write_remote_site(std::string out, const std::vector<SiteFile>& files) {
    if (out.back() != '/') out += '/';
    std::vector<std::string> earlier;
    try {
        earlier = remote_list(out);
    } catch (const std::exception& e) {
        throw failed(out, e.what());
    }
    if (!earlier.empty()) {
        const bool has_index = std::count(earlier.begin(), earlier.end(), out + "index.html") > 0;
        const bool has_data = std::any_of(earlier.begin(), earlier.end(),
                                          [&](const std::string& u) { return u.rfind(out + "data/", 0) == 0; });
        if (!has_index || !has_data) throw not_an_export(out);
    }
    std::vector<RemoteObject> objects, index;
    std::set<std::string> written;
    for (const auto& f : files) {
        (f.path == "index.html" ? index : objects).push_back({out + f.path, f.bytes, file_mime(f.path)});
        written.insert(out + f.path);
    }
    std::vector<std::string> stale;
    for (const auto& u : earlier)
        if (replaced_whole(std::string_view(u).substr(out.size())) && !written.count(u)) stale.push_back(u);
    try {
        remote_put_all(objects);
        remote_put_all(index);  // last: every file it names is stored by now
        remote_delete_all(stale);
    } catch (const std::exception& e) {
        throw failed(out, e.what());
    }
}

}  // namespace

void write_site(const std::string& out, const std::vector<SiteFile>& files) {
    if (is_remote_path(out))
        write_remote_site(out, files);
    else
        write_local_site(out, files);
}

void write_one(const std::string& out, std::string_view bytes, const std::string& content_type) {
    if (!is_remote_path(out)) return write_file(out, bytes);
    try {
        remote_put_all({{out, bytes, content_type}});
    } catch (const std::exception& e) {
        throw failed(out, e.what());
    }
}

}  // namespace tblog::view::exporting
