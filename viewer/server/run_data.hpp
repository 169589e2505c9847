// What the viewer knows about one run: its time series, keyed by tag.
//
// A time series takes its kind (data class) and plugin metadata from the first record of its
// tag, as TensorBoard does. Scalars keep every point (ScalarColumns); tensors (histograms,
// text, PR curves, ...) and blob sequences (images, audio, graphs) keep a bounded sample
// (Reservoir) whose size comes from --samples_per_plugin.
//
// Locking: the loader writes a run under `mutex` (exclusive) one file chunk at a time; HTTP
// handlers read under a shared lock. Series are never removed, so a Series* stays valid.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "payload.hpp"
#include "reservoir.hpp"
#include "scalar_columns.hpp"

namespace tblog::view {

// tensorboard.DataClass
enum class DataClass : int { unknown = 0, scalar = 1, tensor = 2, blob_sequence = 3 };

struct SeriesMetadata {
    DataClass data_class = DataClass::unknown;
    std::string plugin_name;
    std::string plugin_content;  // SummaryMetadata.plugin_data.content (bytes)
    std::string display_name;
    std::string description;     // SummaryMetadata.summary_description (markdown)
};

// Non-scalar payloads (payload.hpp): immutable bytes shared by the store and every answer that
// sends them, spillable under the memory budget. A request for a 50 MB image takes the
// shared_ptr of its bytes under the run's lock and streams from it after the lock is
// released: no copy per request, and memory does not grow with the number of clients.
using TensorBytes = Payload;  // a serialized tensorboard.TensorProto
using Blob = Payload;
using BlobSequence = std::vector<Blob>;  // e.g. {width, height, png} for an image

struct Series {
    SeriesMetadata meta;
    ScalarColumns scalars;             // data_class == scalar
    Reservoir<TensorBytes> tensors;    // data_class == tensor
    Reservoir<BlobSequence> blobs;     // data_class == blob_sequence

    // Spills the payloads of its tensors and blobs to the budget's cache file, oldest first,
    // while `more()` is true (the budget is exceeded). Returns the RAM bytes given back.
    template <class More>
    std::size_t spill_payloads(More&& more) {
        std::size_t freed = 0;
        for (auto& it : tensors.mutable_items()) {
            if (!more()) return freed;
            freed += it.value.spill();
        }
        for (auto& it : blobs.mutable_items())
            for (Blob& b : it.value) {
                if (!more()) return freed;
                freed += b.spill();
            }
        return freed;
    }

    // Drops every point with step >= `step` (SessionLog START purge).
    void purge_from(std::int64_t step) {
        scalars.truncate_from_step(step);
        tensors.preempt(step);
        blobs.preempt(step);
    }
};

class Run {
    std::shared_ptr<ScalarSpill> budget_;  // declared before `series`: outlives the columns using it

public:
    // `budget`: the memory budget its scalar series charge and spill to (none: unbounded).
    Run(std::string name, std::filesystem::path dir, std::shared_ptr<ScalarSpill> budget = nullptr)
        : budget_(std::move(budget)), name_(std::move(name)), dir_(std::move(dir)) {
        charge_fixed(sizeof(Run) + kNodeBytes + name_.size() * 2 + dir_.native().size());
    }
    ~Run() {
        if (budget_) budget_->charge(-static_cast<std::int64_t>(fixed_));
    }
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    // The RAM a series costs whatever its points: its Series object, its node in `series`,
    // its tag and metadata (charged to the budget by the ingestor when it creates it; it
    // cannot be spilled, so the points of other series spill in its place).
    static std::size_t fixed_bytes(std::string_view tag, const SeriesMetadata& m) {
        return sizeof(Series) + kNodeBytes + tag.size() + m.plugin_name.size() + m.plugin_content.size() +
               m.display_name.size() + m.description.size();
    }
    // Charges RAM that stays as long as the run (given back when the run goes).
    void charge_fixed(std::size_t bytes) {
        fixed_ += bytes;
        if (budget_) budget_->charge(static_cast<std::int64_t>(bytes));
    }
    std::size_t fixed_charged() const { return fixed_; }

    const std::string& name() const { return name_; }
    const std::filesystem::path& dir() const { return dir_; }
    // Unique in the process: tells this run from an earlier one of the same name (a directory
    // removed and written again), e.g. in the version of a cached answer.
    std::uint64_t uid() const { return uid_; }
    ScalarSpill* budget() const { return budget_.get(); }

    mutable std::shared_mutex mutex;

    // Guarded by `mutex`.
    std::map<std::string, Series, std::less<>> series;
    std::optional<double> start_time;  // earliest wall time of any event (orders /data/runs)

    const Series* find(std::string_view tag) const {
        auto it = series.find(tag);
        return it == series.end() ? nullptr : &it->second;
    }

private:
    static constexpr std::size_t kNodeBytes = 64;  // a std::map node's links and malloc header
    static std::uint64_t next_uid() {
        static std::atomic<std::uint64_t> n{0};
        return ++n;
    }
    std::string name_;
    std::filesystem::path dir_;
    std::uint64_t uid_ = next_uid();
    std::size_t fixed_ = 0;  // bytes charged by charge_fixed()
};

// Per-plugin sample sizes for non-scalar series (--samples_per_plugin). Scalars are never
// sampled.
struct SamplingPolicy {
    std::size_t tensors = 100;         // default for a tensor series
    std::size_t blob_sequences = 10;   // default for a blob-sequence series
    std::map<std::string, std::size_t, std::less<>> per_plugin;  // 0 = keep all

    std::size_t capacity(std::string_view plugin_name, DataClass cls) const {
        auto it = per_plugin.find(plugin_name);
        if (it != per_plugin.end()) return it->second;
        return cls == DataClass::blob_sequence ? blob_sequences : tensors;
    }
};

}  // namespace tblog::view
