// How --max_memory is shared between the data and the two caches of built answers, so that
// the whole process stays within it (the store's data: scalar_spill.hpp; answers kept as
// sent: http/response_cache.hpp; Profile timelines: trace_timelines.hpp).
//
// The data is what every chart needs and cannot be rebuilt without reading the event files
// again; the caches only save CPU (encoding an answer, parsing a trace), so they take small
// fractions and stop growing at the sizes that already hold what is asked again:
//   answers    budget/16, at most 32 MiB, set aside before loading: a screen's answers are tens
//              of KiB each, 32 MiB holds thousands, and a single answer is kept only up to an
//              eighth of it;
//   timelines  at most budget/4 (and 1 GiB), charged only as they are kept (Store): a 1 M-event
//              trace's timeline is ~80 MB (81 bytes an event, measured on a generated 200 k-event
//              trace), so a quarter of a 1 GiB budget still holds a trace and the one Compare
//              opens beside it; a logdir without traces leaves all of it to the data, and one
//              with traces spills data to make room after the pass that built them;
//   data       the rest: budget - answers when no timeline is kept (15/16 of a small budget,
//              12 GiB - 32 MiB of the default on a 24 GiB machine), at least 11/16 with the
//              timelines' share full.
// With no budget (--max_memory 0) the data is unlimited and the caches keep their caps.
#pragma once

#include <algorithm>
#include <cstdint>

namespace tblog::view {

struct MemoryShares {
    static constexpr std::uint64_t kAnswersCap = std::uint64_t{32} << 20;
    static constexpr std::uint64_t kTimelinesCap = std::uint64_t{1} << 30;
    std::uint64_t data = 0;  // the most the data gets (no timeline kept); 0: unlimited
    std::uint64_t answers = kAnswersCap;
    std::uint64_t timelines = kTimelinesCap;
};

inline MemoryShares memory_shares(std::uint64_t max_memory) {
    MemoryShares s;
    if (max_memory == 0) return s;
    s.answers = std::min(MemoryShares::kAnswersCap, max_memory / 16);
    s.timelines = std::min(MemoryShares::kTimelinesCap, max_memory / 4);
    s.data = max_memory - s.answers;
    return s;
}

}  // namespace tblog::view
