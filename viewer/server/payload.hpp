// The bytes of one non-scalar record (a serialized tensor, an image, an audio clip, a graph),
// immutable, shared by the store and every answer that sends them, and spillable under the
// memory budget (scalar_spill.hpp).
//
// A payload is charged to the budget for its bytes plus its bookkeeping from the moment the
// ingestor stores it until its last copy goes. Store::fit_budget() may spill it: its bytes
// go to the budget's cache file (one pwrite) and RAM keeps only its size and file offset;
// bytes() reads them back with one pread. Nothing a listing needs lives in the bytes (steps,
// wall times, the number of blobs of a point and the image's width/height blobs, which are
// too small to spill, stay in RAM), so listings never read the file.
//
// Why bytes() returns a shared_ptr and there is no `const std::string&` accessor: the bytes
// a route is looking at may be spilled (by the loader, under the run's exclusive lock) as
// soon as the route releases the run's shared lock, and a read-back string lives only as long
// as its pointer. A route keeps the shared_ptr alive for as long as it uses the bytes or any
// view into them (parse_string_tensor's string_views, a streamed body): never a reference.
//
// Thread safety: spill() runs under the run's exclusive lock, bytes() under at least its
// shared lock (both via the Series that holds the payload).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "scalar_spill.hpp"

namespace tblog::view {

class Payload {
public:
    // Payloads smaller than this are never spilled: the bookkeeping RAM keeps for a spilled
    // payload (its State) would be most of what spilling saved.
    static constexpr std::size_t kMinSpill = 256;

    Payload() = default;
    // Resident bytes charged to `budget` (none: not charged, never spilled).
    Payload(std::string bytes, ScalarSpill* budget = nullptr);  // NOLINT: implicit, a payload is its bytes

    std::size_t size() const { return state_ ? state_->size : 0; }
    bool empty() const { return size() == 0; }
    bool spilled() const { return state_ && !state_->bytes && state_->size; }

    // The bytes: the shared resident copy, or a fresh copy read back from the cache file
    // (throws std::runtime_error if that read fails).
    std::shared_ptr<const std::string> bytes() const;

    // Moves the bytes to the budget's cache file if they are resident and at least kMinSpill
    // (an answer in flight holding them keeps its pointer and the string until it is sent).
    // Returns the RAM bytes no longer charged. A cache file that cannot be written leaves
    // the bytes in RAM (reported once on stderr).
    std::size_t spill();

    // RAM charged for a payload of `n` bytes (its bytes, its State, the control block).
    static std::size_t charge_for(std::size_t n, bool resident);

private:
    struct State {
        State(std::string b, ScalarSpill* s);
        ~State();
        std::shared_ptr<const std::string> bytes;  // null while spilled
        std::size_t size = 0;
        ScalarSpill* spill = nullptr;
        std::uint64_t slot = ~std::uint64_t{0};
        std::size_t slot_bytes = 0;
        std::size_t charged = 0;
    };
    std::shared_ptr<State> state_;
};

}  // namespace tblog::view
