#include "trace_file.hpp"

#include <zlib.h>

#include "trace_columns.hpp"
#include "xspace_trace.hpp"

namespace tblog::view {

namespace {

std::string gunzip(const std::string& in) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw TraceFileError(500, "trace file is not valid gzip");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    // the gzip trailer's size (mod 4 GiB): one allocation instead of a doubling string's copies
    if (in.size() >= 18) {
        const auto* t = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
        out.reserve(t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<std::size_t>(t[3]) << 24));
    }
    char buf[1 << 16];
    int rc;
    do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof(buf);
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            throw TraceFileError(500, "trace file is not valid gzip");
        }
        out.append(buf, sizeof(buf) - zs.avail_out);
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

TraceTimeline build_timeline(const Options& options, const ProfileTrace& t) {
    FileRefusal why;
    const auto file = open_logdir_file(options, t.path, &why);
    if (!file) return {nullptr, why.status, why.reason};
    try {
        return {std::make_shared<const std::string>(trace_columns(trace_json(t, *file))), 200, {}};
    } catch (const TraceFileError& e) {
        return {nullptr, e.status, e.what()};
    } catch (const std::exception& e) {
        return {nullptr, 500, std::string("trace file is not valid: ") + e.what()};
    }
}

}  // namespace

std::string trace_json(const ProfileTrace& t, const LogdirFile& file) {
    std::string bytes = file.read_all();
    if (t.format == "xspace") {
        try {
            return xspace_to_trace_json(bytes);
        } catch (const std::exception& e) {
            throw TraceFileError(500, std::string("trace file is not valid: ") + e.what());
        }
    }
    return t.gzipped ? gunzip(bytes) : bytes;
}

TraceFileVersion trace_version(const ProfileTrace& t) { return {t.path.string(), t.bytes, t.mtime_ns}; }

TraceTimeline trace_timeline(const Options& options, Store& store, const ProfileTrace& t) {
    return store.timelines().get(trace_version(t), [&] { return build_timeline(options, t); });
}

void prebuild_trace_timeline(const Options& options, Store& store, const ProfileTrace& t) {
    if (!store.timelines().seen(trace_version(t))) trace_timeline(options, store, t);
}

}  // namespace tblog::view
