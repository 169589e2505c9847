#include "payload.hpp"

#include <cstdio>
#include <exception>
#include <mutex>

namespace tblog::view {

namespace {

// Spilled payloads go to slots of a size class (2^k, 1.25 * 2^k, 1.5 * 2^k, 1.75 * 2^k), so
// the slot a dropped payload leaves (the reservoir replaces samples all the time) fits the
// next payload of about its size: the cache file grows with what is kept, not with what was
// ever seen. At most 25 % of a slot is unused.
std::size_t slot_class(std::size_t n) {
    std::size_t p = 64;
    while (p < n && p * 2 > p) p *= 2;
    if (p <= 64) return 64;
    const std::size_t half = p / 2, quarter = p / 8;
    for (std::size_t c = half + quarter; c < p; c += quarter)
        if (c >= n) return c;
    return p;
}

}  // namespace

std::size_t Payload::charge_for(std::size_t n, bool resident) {
    // State + shared_ptr control block (~96 bytes with malloc's headers), and while resident
    // the string object, its control block and heap bytes.
    constexpr std::size_t kState = sizeof(State) + 32, kResident = sizeof(std::string) + 32 + 16;
    return kState + (resident ? n + kResident : 0);
}

Payload::State::State(std::string b, ScalarSpill* s) : size(b.size()), spill(s) {
    bytes = std::make_shared<const std::string>(std::move(b));
    if (spill) {
        charged = charge_for(size, true);
        spill->charge(static_cast<std::int64_t>(charged));
    }
}

Payload::State::~State() {
    if (!spill) return;
    spill->charge(-static_cast<std::int64_t>(charged));
    if (slot_bytes) spill->release(slot, slot_bytes);
}

Payload::Payload(std::string bytes, ScalarSpill* budget) {
    if (bytes.empty() && !budget) return;  // the common empty payload costs nothing
    state_ = std::make_shared<State>(std::move(bytes), budget);
}

std::shared_ptr<const std::string> Payload::bytes() const {
    if (!state_) {
        static const auto none = std::make_shared<const std::string>();
        return none;
    }
    if (state_->bytes) return state_->bytes;
    auto out = std::make_shared<std::string>(state_->size, '\0');
    state_->spill->read(state_->slot, out->data(), out->size());
    return out;
}

std::size_t Payload::spill() {
    State* s = state_.get();
    if (!s || !s->spill || !s->bytes || s->size < kMinSpill) return 0;
    try {
        if (!s->slot_bytes) {
            const std::size_t cls = slot_class(s->size);
            s->slot = s->spill->allocate(cls);
            s->slot_bytes = cls;
        }
        s->spill->write(s->slot, s->bytes->data(), s->size);
    } catch (const std::exception& e) {
        static std::once_flag logged;
        std::call_once(logged, [&] { std::fprintf(stderr, "%s (keeping payloads in RAM)\n", e.what()); });
        return 0;
    }
    s->bytes.reset();
    const std::size_t kept = charge_for(s->size, false), freed = s->charged - kept;
    s->spill->charge(-static_cast<std::int64_t>(freed));
    s->charged = kept;
    return freed;
}

}  // namespace tblog::view
