// A per-thread scratch buffer for encoding one event, reused across calls so that the common
// case allocates nothing — but one huge call (a 100 MB add_text) must not leave its
// high-water mark behind for the thread's lifetime: a buffer grown past kKeep is given back
// when the call ends.
#pragma once

#include <cstddef>
#include <string>

namespace tblog::detail {

struct Scratch {
    static constexpr std::size_t kKeep = 1 << 20;

    std::string& bytes;

    Scratch() : bytes(buffer()) { bytes.clear(); }
    ~Scratch() {
        if (bytes.capacity() > kKeep) std::string().swap(bytes);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    // This thread's buffer (its capacity is what a test can observe).
    static std::string& buffer() {
        thread_local std::string b;
        return b;
    }
};

}  // namespace tblog::detail
