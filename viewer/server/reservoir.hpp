// A bounded, step-ordered sample of a non-scalar time series (histograms, images, ...).
//
// Same contract as TensorBoard's loaders: the most recent record is always kept, the others
// form a uniform random sample of the stream once it exceeds the capacity, and a record with
// step s first drops every kept record with step >= s (a restarted job rewriting its tail).
// The generator is seeded identically for every series, so a reload of the same files keeps
// the same sample.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tblog::view {

template <class T>
class Reservoir {
public:
    struct Item {
        std::int64_t step;
        double wall_time;
        T value;
    };

    Reservoir() = default;
    explicit Reservoir(std::size_t capacity) : capacity_(capacity) {}

    // capacity 0 means unbounded.
    std::size_t capacity() const { return capacity_; }
    const std::vector<Item>& items() const { return items_; }
    // For spilling values in place (their steps and order stay as they are).
    std::vector<Item>& mutable_items() { return items_; }
    std::uint64_t seen() const { return seen_; }

    void offer(std::int64_t step, double wall_time, T value) {
        preempt(step);
        ++seen_;
        if (capacity_ && seen_ > capacity_) {
            const std::uint64_t dst = next_random() % seen_;
            if (dst >= capacity_) {
                items_.pop_back();  // not sampled: it only replaces the previous "latest"
            } else if (items_.size() >= capacity_) {
                items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(dst));
            }
        }
        items_.push_back(Item{step, wall_time, std::move(value)});
    }

    // Drops every item with step >= `step`; the count of records seen shrinks in proportion,
    // so sampling stays unbiased after the rollback.
    void preempt(std::int64_t step) {
        const std::size_t old_len = items_.size();
        std::size_t n = old_len;
        while (n > 0 && items_[n - 1].step >= step) --n;
        if (n == old_len) return;
        items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(n), items_.end());
        seen_ = old_len ? seen_ * n / old_len : 0;
    }

private:
    std::uint64_t next_random() {  // xorshift64*: fast, deterministic, good enough to sample
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        return rng_ * 0x2545F4914F6CDD1DULL;
    }

    std::size_t capacity_ = 0;
    std::vector<Item> items_;
    std::uint64_t seen_ = 0;
    std::uint64_t rng_ = 0x9E3779B97F4A7C15ULL;
};

}  // namespace tblog::view
