// The record reader (include/tblog/reader.hpp) over arbitrary file contents: every status
// path (ok, truncated, corrupt with an intact or a damaged length), resumption at offset().
#include <unistd.h>

#include <cstdio>
#include <string>

#include "tblog/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    static const std::string path =
        std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") + "/tblog_fuzz_reader." + std::to_string(::getpid());
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        if (size) std::fwrite(data, 1, size, f);
        std::fclose(f);
    } else {
        return 0;
    }
    tblog::EventFileReader r(path);
    std::string rec;
    std::uint64_t total = 0;
    for (int i = 0; i < 100000; ++i) {
        const auto s = r.next(rec);
        if (s == tblog::ReadStatus::ok) {
            total += rec.size();
            if (total > size) __builtin_trap();  // a record cannot hold more than the file
            continue;
        }
        if (s != tblog::ReadStatus::corrupt || !r.skip_corrupt()) break;
    }
    if (r.offset() <= size) {  // a second reader resumes where the first stopped
        tblog::EventFileReader again(path, r.offset());
        again.next(rec);
    }
    return 0;
}
