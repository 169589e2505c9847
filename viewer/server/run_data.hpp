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

using TensorBytes = std::string;  // a serialized tensorboard.TensorProto

// One element of a blob sequence: immutable bytes shared by the store and every answer that
// sends them. A request for a 50 MB image takes a reference under the run's lock and streams
// from it after the lock is released: no copy per request, and memory does not grow with the
// number of clients fetching it.
class Blob {
public:
    Blob() : bytes_(no_bytes()) {}
    Blob(std::string bytes) : bytes_(std::make_shared<const std::string>(std::move(bytes))) {}  // NOLINT: implicit

    const std::string& str() const { return *bytes_; }
    operator const std::string&() const { return *bytes_; }  // NOLINT: reads as the bytes it holds
    std::size_t size() const { return bytes_->size(); }
    bool empty() const { return bytes_->empty(); }
    const std::shared_ptr<const std::string>& shared() const { return bytes_; }

private:
    static const std::shared_ptr<const std::string>& no_bytes() {
        static const auto e = std::make_shared<const std::string>();
        return e;
    }
    std::shared_ptr<const std::string> bytes_;
};
using BlobSequence = std::vector<Blob>;  // e.g. {width, height, png} for an image

struct Series {
    SeriesMetadata meta;
    ScalarColumns scalars;             // data_class == scalar
    Reservoir<TensorBytes> tensors;    // data_class == tensor
    Reservoir<BlobSequence> blobs;     // data_class == blob_sequence

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
        : budget_(std::move(budget)), name_(std::move(name)), dir_(std::move(dir)) {}

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
    static std::uint64_t next_uid() {
        static std::atomic<std::uint64_t> n{0};
        return ++n;
    }
    std::string name_;
    std::filesystem::path dir_;
    std::uint64_t uid_ = next_uid();
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
