// All runs the viewer knows, by name. Runs appear as the loader discovers them and disappear
// when their directory does; a handler holding a shared_ptr<Run> keeps it readable meanwhile.
//
// The store owns the memory budget of its data (--max_memory, scalar_spill.hpp): every run
// charges it for its fixed costs (Run and Series objects, tags, metadata), its scalar points
// and summaries and its non-scalar payloads (payload.hpp), and fit_budget() spills points and
// payloads to the cache file when it is exceeded. Routes never see the difference: they read
// series as before.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "run_data.hpp"
#include "trace_timelines.hpp"

namespace tblog::view {

class Store {
public:
    // `max_memory` bytes for scalar points in RAM (0: unlimited); spilled points go to a file
    // in `cache_dir` (empty: the system's temporary directory). `timelines_budget`: the most
    // bytes of Profile timelines kept (memory_shares.hpp); what they hold is set aside from the
    // budget as they hold it (reserved), so a logdir without traces leaves it all to the data
    // and one with traces spills data to make room (after the pass that built them).
    explicit Store(std::uint64_t max_memory = 0, std::filesystem::path cache_dir = {},
                   std::uint64_t timelines_budget = TraceTimelines::kDefaultBudget)
        : budget_(std::make_shared<ScalarSpill>(max_memory, std::move(cache_dir))),
          timelines_(timelines_budget, [spill = budget_.get()](std::int64_t delta) { spill->reserve(delta); }) {}

    const ScalarSpill& budget() const { return *budget_; }
    ScalarSpill& budget() { return *budget_; }

    // The Profile dashboard's timelines, one per trace file version (trace_timelines.hpp):
    // the loader builds them as it finds traces, the profile routes read them.
    TraceTimelines& timelines() { return timelines_; }
    const TraceTimelines& timelines() const { return timelines_; }

    // While over budget, spills `run`'s data: first the payloads of its tensors and blobs
    // (the biggest bytes, and read only when their point is shown), then its full scalar
    // chunks, then the growing last one of each series. The caller holds run.mutex
    // exclusively (the loader, after each batch it applied to the run).
    void fit_budget(Run& run) {
        const auto over = [&] { return budget_->over_budget(); };
        for (auto& [tag, s] : run.series) {
            if (!over()) return;
            s.spill_payloads(over);
        }
        for (bool with_tail : {false, true})
            for (auto& [tag, s] : run.series) {
                if (!over()) return;
                s.scalars.spill(with_tail);
            }
    }

    // fit_budget() over every run (the loader, after a pass: runs loaded in parallel may have
    // left the budget exceeded by one batch each), then gives the freed heap back to the
    // kernel, so that the process's RSS follows the accounting down.
    void fit_budget() {
        if (budget_->budget() == ScalarSpill::kUnlimited) return;
        const std::int64_t before = budget_->resident();
        for (const auto& run : runs()) {
            if (!budget_->over_budget()) break;
            std::unique_lock lk(run->mutex);
            fit_budget(*run);
        }
        if (budget_->resident() < before) release_free_memory();
    }

    // Snapshot of every run, ordered by name.
    std::vector<std::shared_ptr<Run>> runs() const {
        std::shared_lock lk(mu_);
        std::vector<std::shared_ptr<Run>> out;
        out.reserve(runs_.size());
        for (auto& [name, r] : runs_) out.push_back(r);
        return out;
    }

    std::shared_ptr<Run> find(std::string_view name) const {
        std::shared_lock lk(mu_);
        auto it = runs_.find(name);
        return it == runs_.end() ? nullptr : it->second;
    }

    std::shared_ptr<Run> add(const std::string& name, const std::filesystem::path& dir) {
        std::unique_lock lk(mu_);
        auto& slot = runs_[name];
        if (!slot) slot = std::make_shared<Run>(name, dir, budget_);
        return slot;
    }

    void remove(std::string_view name) {
        std::unique_lock lk(mu_);
        auto it = runs_.find(name);
        if (it != runs_.end()) runs_.erase(it);
    }

private:
    std::shared_ptr<ScalarSpill> budget_;
    TraceTimelines timelines_;
    mutable std::shared_mutex mu_;
    std::map<std::string, std::shared_ptr<Run>, std::less<>> runs_;
};

}  // namespace tblog::view
