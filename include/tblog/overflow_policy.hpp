// What an add_* does when the writer thread falls behind and the queue (WriterOptions::
// max_queue pages) is full. Public, like spdlog's async_overflow_policy: it is chosen in
// WriterOptions::overflow; the queue that applies it is detail/io/async_writer.hpp.
#pragma once

namespace tblog {

enum class OverflowPolicy {
    block,        // add_* waits for room (nothing is ever dropped) — the default, as PyTorch
    discard_new,  // add_* never waits; events that find the queue full are dropped and counted
};

}  // namespace tblog
