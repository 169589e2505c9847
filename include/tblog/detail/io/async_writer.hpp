// The background writer: a bounded queue of message pages and the one thread that drains it.
//
// Like spdlog's async logger, control messages (open a file, write whole files, flush,
// close) travel in the same queue as the events, so their order relative to the events needs
// no extra locking: flush() returns once every event and file accepted before it is in the OS.
//
// Batching: producers append messages to the current *page* (a 64 KiB byte buffer; one
// large event gets a page of its own) under a short mutex hold. A full page is sealed and
// queued for the writer thread, which is woken once per page, not once per event: that is
// what keeps add_scalar near a memcpy. `max_queue` bounds the sealed pages waiting for the
// writer (PyTorch bounds pending events; the purpose, bounded memory and back-pressure, is
// the same). When the queue is full the OverflowPolicy decides: block (wait for the writer,
// PyTorch's behaviour, nothing lost) or discard_new (drop and count, never wait).
// Pages are recycled, so steady-state logging allocates nothing.
//
// The calling thread never touches files except in open_now(), used by constructors so that
// an unwritable log_dir is reported where it was given, and in a close()/flush() that
// retries after a failed close (the writer thread has stopped by then).
//
// I/O failures (a full disk): a sink keeps every byte it could not write (the Sink contract,
// storage.hpp), a file job that failed is kept with every job after it (so they still run in
// order), and the error surfaces on the next push/flush/close as std::system_error. A
// close() that fails keeps the sinks and their unwritten records; the next close() or flush()
// writes them, on the calling thread. A sink that could not be opened keeps its records too
// and is opened again at every retry. Only destroying a writer whose close keeps failing
// loses data, and unwritten() says exactly what.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "tblog/detail/io/file_sink.hpp"
#include "tblog/detail/io/record.hpp"
#include "tblog/overflow_policy.hpp"

namespace tblog::detail {

class AsyncWriter {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kPageSize = 64 << 10;

    // Makes the sink of each event file: local files unless a Storage (s3://) says otherwise.
    using SinkMaker = std::function<std::unique_ptr<Sink>()>;

    AsyncWriter(std::size_t max_queue, double flush_secs, OverflowPolicy policy, SinkMaker make_sink = {})
        : make_sink_(make_sink ? std::move(make_sink) : SinkMaker([] { return std::make_unique<FileSink>(); })),
          capacity_(max_queue == 0 ? 1 : max_queue),
          flush_period_(std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(flush_secs > 0 ? flush_secs : 1e-3))),
          policy_(policy) {
        thread_ = std::thread([this] { run(); });
    }

    AsyncWriter(const AsyncWriter&) = delete;
    AsyncWriter& operator=(const AsyncWriter&) = delete;

    ~AsyncWriter() {
        try {
            close();
        } catch (...) {
            // Destructors must not throw; close() reports through its own call.
        }
    }

    // Creates the file now, on the calling thread, and queues its first record. Throws
    // std::system_error naming the path when the file cannot be created.
    std::uint32_t open_now(const std::string& path, std::string_view first_record) {
        auto sink = make_sink_();
        if (auto ec = sink->open(path)) throw std::system_error(ec, "tblog: cannot create event file '" + path + "'");
        std::unique_lock<std::mutex> lk(mu_);
        throw_if_closed();
        const auto id = static_cast<std::uint32_t>(next_file_id_++);
        adopted_.emplace_back(id, std::move(sink));
        append(lk, Kind::adopt, id, first_record, {}, /*is_event=*/false);
        return id;
    }

    // Queues "create this file" for the writer thread; errors surface on flush/close.
    std::uint32_t open_async(const std::string& path, std::string_view first_record) {
        std::unique_lock<std::mutex> lk(mu_);
        throw_if_closed();
        const auto id = static_cast<std::uint32_t>(next_file_id_++);
        append(lk, Kind::open, id, first_record, path, false);
        return id;
    }

    // A job that writes whole files (add_embedding's), run on the writer thread in queue order.
    // `run` throws (std::system_error naming the path) when it cannot write; the job is then
    // kept, with every job queued after it, and run again by the next flush or close, as an
    // unopened sink is opened again. `what` names it in unwritten().
    struct FileJob {
        std::string what;
        std::function<void()> run;
    };
    void write_files(FileJob job) {
        if (failed_.load(std::memory_order_relaxed)) rethrow_error();
        std::unique_lock<std::mutex> lk(mu_);
        throw_if_closed();
        queued_jobs_.push_back(std::move(job));
        append(lk, Kind::files, 0, {}, {}, false);
    }

    // Queues one serialized Event for file `file`. Returns false if it was discarded
    // (discard_new policy, queue full). Throws std::system_error if earlier data could not
    // be written and the writer has not recovered yet, or std::logic_error after close().
    bool push(std::uint32_t file, std::string_view event_bytes) {
        if (failed_.load(std::memory_order_relaxed)) rethrow_error();
        std::unique_lock<std::mutex> lk(mu_);
        throw_if_closed();
        return append(lk, Kind::event, file, event_bytes, {}, true);
    }

    // Returns when every message queued before the call has been written to the OS.
    // Throws std::system_error if some of it could not be written (it stays buffered).
    // After a failed close() it retries the close instead.
    void flush() {
        std::unique_lock<std::mutex> lk(mu_);
        if (closed_) {
            lk.unlock();
            close();
            return;
        }
        const std::uint64_t ticket = ++tickets_issued_;
        append(lk, Kind::flush, 0, {}, {}, false);
        seal(lk);
        done_cv_.wait(lk, [&] { return tickets_done_ >= ticket; });
        lk.unlock();
        if (failed_.load()) rethrow_error();
    }

    // Writes everything, closes every file and stops the thread. Idempotent. Throws
    // std::system_error if accepted data could not be written; that data stays, and the next
    // close() (or flush()) tries again.
    void close() {
        {
            std::unique_lock<std::mutex> lk(mu_);
            if (!closed_) {
                // Closed first: append() and seal() may wait for room with mu_ released, and
                // an event appended then would land after the close message, in a closed file.
                closed_ = true;
                append(lk, Kind::close, 0, {}, {}, false);
                seal(lk);
                space_cv_.notify_all();
            }
        }
        std::lock_guard<std::mutex> ck(close_mu_);
        if (thread_.joinable()) {
            thread_.join();
        } else if (failed_.load()) {
            close_all();  // a retry: the thread is gone, its sinks are ours now
        }
        if (failed_.load()) rethrow_error();
        files_.clear();  // closed for good: give the buffers back
        unopened_.clear();
        pending_jobs_.clear();
        std::lock_guard<std::mutex> lk(mu_);
        free_.clear();
        current_.reset();
    }

    bool closed() const {
        std::lock_guard<std::mutex> lk(mu_);
        return closed_;
    }

    // After a failed close(): "<bytes> bytes (<records> records) for '<path>'" per file that
    // still buffers unwritten data; empty if nothing is buffered (or the writer still runs).
    std::vector<std::string> unwritten() {
        std::lock_guard<std::mutex> ck(close_mu_);
        std::vector<std::string> out;
        if (thread_.joinable()) return out;
        for (const auto& f : files_)
            if (f && f->buffered())
                out.push_back(std::to_string(f->buffered()) + " bytes (" + std::to_string(count_records(f->buffer())) +
                              " records) for '" + f->path() + "'");
        for (const auto& job : pending_jobs_) out.push_back(job.what);
        return out;
    }

    std::uint64_t dropped() const { return dropped_.load(); }
    std::size_t capacity() const { return capacity_; }

private:
    enum class Kind : std::uint8_t { event, open, adopt, files, flush, close };

    // Message layout inside a page: kind u8 | file u32 | len1 u32 | len2 u32 | data1 | data2
    static constexpr std::size_t kMsgHeader = 13;

    struct Page {
        std::string bytes;
        std::size_t events = 0;
    };

    // ---- producer side (mu_ held) -----------------------------------------------------

    bool append(std::unique_lock<std::mutex>& lk, Kind kind, std::uint32_t file, std::string_view d1,
                std::string_view d2, bool is_event) {
        const std::size_t need = kMsgHeader + d1.size() + d2.size();
        if (current_ && !current_->bytes.empty() && current_->bytes.size() + need > kPageSize) {
            if (is_event && policy_ == OverflowPolicy::discard_new && ready_.size() >= capacity_) {
                dropped_.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
            seal(lk);
            if (kind != Kind::close) throw_if_closed();  // close() came while seal() waited for room
        }
        if (!current_) current_ = fresh_page(need);
        std::string& b = current_->bytes;
        const std::size_t at = b.size();
        b.resize(at + need);
        char* p = b.data() + at;
        p[0] = static_cast<char>(kind);
        std::memcpy(p + 1, &file, 4);
        const auto l1 = static_cast<std::uint32_t>(d1.size()), l2 = static_cast<std::uint32_t>(d2.size());
        std::memcpy(p + 5, &l1, 4);
        std::memcpy(p + 9, &l2, 4);
        if (l1) std::memcpy(p + kMsgHeader, d1.data(), l1);
        if (l2) std::memcpy(p + kMsgHeader + l1, d2.data(), l2);
        if (is_event) ++current_->events;
        // Pull the next lines of the page into this core's cache ahead of time: a recycled
        // page was last touched by the writer thread, and waiting for those lines inside the
        // lock is most of a small event's cost.
        if (b.capacity() >= at + need + 512) __builtin_prefetch(b.data() + at + 512, 1);
        return true;
    }

    // Queues the current page for the writer thread, waiting for room under `block`.
    void seal(std::unique_lock<std::mutex>& lk) {
        if (!current_) return;
        if (policy_ == OverflowPolicy::block && ready_.size() >= capacity_ && !closed_) {
            space_cv_.wait(lk, [&] { return ready_.size() < capacity_ || closed_; });
        }
        // While this thread waited, another may have sealed the page already.
        if (!current_) return;
        ready_.push_back(std::move(current_));
        current_.reset();
        work_cv_.notify_one();
    }

    std::unique_ptr<Page> fresh_page(std::size_t need) {
        std::unique_ptr<Page> p;
        // A recycled page holds at least kPageSize; one that grew for a larger event (up to
        // 2 * kPageSize, e.g. a second of audio) serves the next such event without a fresh
        // allocation, whose first-touch page faults cost more than the copy.
        if (!free_.empty() && need <= free_.back()->bytes.capacity()) {
            p = std::move(free_.back());
            free_.pop_back();
        } else {
            p = std::make_unique<Page>();
            p->bytes.reserve(need > kPageSize ? need : kPageSize);
        }
        return p;
    }

    void throw_if_closed() const {
        if (closed_) throw std::logic_error("tblog: the writer is closed (add_* raced close() on another thread)");
    }

    static std::size_t count_records(const std::string& bytes) {
        std::size_t n = 0;
        for (std::size_t at = 0; at + record::kHeaderSize <= bytes.size(); ++n)
            at += record::kOverhead + static_cast<std::size_t>(record::get_u64(bytes.data() + at));
        return n;
    }

    [[noreturn]] void rethrow_error() const {
        std::lock_guard<std::mutex> lk(err_mu_);
        throw std::system_error(error_code_, error_what_);
    }

    // ---- writer thread ------------------------------------------------------------------

    void run() {
        std::deque<std::unique_ptr<Page>> batch;
        auto next_flush = Clock::now() + flush_period_;
        bool stop = false;
        while (!stop) {
            {
                std::unique_lock<std::mutex> lk(mu_);
                work_cv_.wait_until(lk, next_flush, [&] { return !ready_.empty(); });
                if (ready_.empty() && current_ && !current_->bytes.empty()) {
                    ready_.push_back(std::move(current_));  // flush_secs: take the partial page
                    current_.reset();
                }
                batch.swap(ready_);
                space_cv_.notify_all();
            }
            std::uint64_t flushes = 0;
            for (auto& page : batch) {
                process(*page, flushes, stop);
                page->bytes.clear();
                page->events = 0;
            }
            if (!stop && Clock::now() >= next_flush) {
                write_all();
                next_flush = Clock::now() + flush_period_;
            }
            std::lock_guard<std::mutex> lk(mu_);
            for (auto& page : batch)
                if (page->bytes.capacity() <= 2 * kPageSize && free_.size() < capacity_ + 2)
                    free_.push_back(std::move(page));
            batch.clear();
            if (flushes || stop) {
                tickets_done_ += flushes;
                if (stop) tickets_done_ = tickets_issued_;
                done_cv_.notify_all();
            }
        }
    }

    void process(const Page& page, std::uint64_t& flushes, bool& stop) {
        const char* p = page.bytes.data();
        const char* end = p + page.bytes.size();
        while (p < end) {
            const auto kind = static_cast<Kind>(p[0]);
            std::uint32_t file, l1, l2;
            std::memcpy(&file, p + 1, 4);
            std::memcpy(&l1, p + 5, 4);
            std::memcpy(&l2, p + 9, 4);
            const std::string_view d1(p + kMsgHeader, l1), d2(p + kMsgHeader + l1, l2);
            p += kMsgHeader + l1 + l2;
            switch (kind) {
                case Kind::event:
                    if (file < files_.size() && files_[file]) {
                        Sink& f = *files_[file];
                        record::append(f.buffer(), d1);
                        if (f.buffered() >= f.write_chunk()) write_out(f);
                    }
                    break;
                case Kind::open: {
                    // A sink that cannot be opened yet keeps its records; every retry opens it again.
                    auto sink = make_sink_();
                    const std::string path(d2);
                    const auto ec = sink->open(path);
                    install(file, std::move(sink), d1);
                    if (ec) {
                        unopened_[file] = path;
                        set_error(ec, files_[file]->describe(ec));
                    }
                    break;
                }
                case Kind::adopt: {
                    std::unique_ptr<Sink> sink;
                    {
                        std::lock_guard<std::mutex> lk(mu_);
                        for (auto it = adopted_.begin(); it != adopted_.end(); ++it)
                            if (it->first == file) {
                                sink = std::move(it->second);
                                adopted_.erase(it);
                                break;
                            }
                    }
                    install(file, std::move(sink), d1);
                    break;
                }
                case Kind::files: {
                    // Messages are processed in the order they were appended: this is the
                    // oldest queued job.
                    {
                        std::lock_guard<std::mutex> lk(mu_);
                        pending_jobs_.push_back(std::move(queued_jobs_.front()));
                        queued_jobs_.pop_front();
                    }
                    if (pending_jobs_.size() == 1) run_jobs();  // else an earlier one failed: wait behind it
                    break;
                }
                case Kind::flush:
                    write_all(/*explicit_flush=*/true);
                    ++flushes;
                    break;
                case Kind::close:
                    close_all();
                    stop = true;
                    break;
            }
        }
    }

    void install(std::uint32_t id, std::unique_ptr<Sink> sink, std::string_view first) {
        if (files_.size() <= id) files_.resize(id + 1), unopened_.resize(id + 1);
        files_[id] = std::move(sink);
        if (files_[id]) record::append(files_[id]->buffer(), first);
    }

    // Runs the kept file jobs in order, up to the first that fails. True if none is left.
    bool run_jobs() {
        while (!pending_jobs_.empty()) {
            try {
                pending_jobs_.front().run();
            } catch (const std::system_error& e) {
                set_error(e.code(), e.what());
                return false;
            } catch (const std::exception& e) {
                set_error(std::make_error_code(std::errc::io_error), e.what());
                return false;
            }
            pending_jobs_.pop_front();
        }
        return true;
    }

    void set_error(std::error_code ec, const std::string& what) {
        std::size_t kept = 0;
        for (const auto& f : files_)
            if (f) kept += f->buffered();
        {
            std::lock_guard<std::mutex> lk(err_mu_);
            error_code_ = ec;
            error_what_ = what + " (" + std::to_string(kept) +
                          " bytes of accepted events kept in memory; flush() or close() again to retry)";
        }
        failed_.store(true);
    }

    void write_out(Sink& f) {
        if (auto ec = f.write_out()) set_error(ec, f.describe(ec));
    }

    // Sink `i` hands its bytes on (`how`: write_out, flush or close), opened first if an
    // earlier open failed.
    template <class How>
    std::error_code hand_on(std::size_t i, How how) {
        Sink& f = *files_[i];
        if (!unopened_[i].empty()) {
            if (auto ec = f.open(unopened_[i])) return ec;
            unopened_[i].clear();
        }
        return how(f);
    }

    // Hands every buffered byte to the OS. If that succeeds everywhere, an earlier failure
    // (e.g. a disk that was full) is over and add_* accepts data again.
    void write_all(bool explicit_flush = false) {
        bool ok = run_jobs();
        for (std::size_t i = 0; i < files_.size(); ++i)
            if (files_[i] && files_[i]->has_pending()) {
                auto ec = hand_on(i, [&](Sink& f) { return explicit_flush ? f.flush() : f.write_out(); });
                if (ec) {
                    set_error(ec, files_[i]->describe(ec));
                    ok = false;
                }
            }
        if (ok) failed_.store(false);
    }

    void close_all() {
        bool ok = run_jobs();
        for (std::size_t i = 0; i < files_.size(); ++i)
            if (files_[i]) {
                if (auto ec = hand_on(i, [](Sink& f) { return f.close(); })) {
                    set_error(ec, files_[i]->describe(ec));
                    ok = false;
                }
            }
        if (ok) failed_.store(false);
    }

    const SinkMaker make_sink_;
    const std::size_t capacity_;
    const Clock::duration flush_period_;
    const OverflowPolicy policy_;

    alignas(64) mutable std::mutex mu_;
    alignas(64) std::condition_variable work_cv_;
    std::condition_variable space_cv_, done_cv_;
    std::unique_ptr<Page> current_;                  // being filled by producers
    std::deque<std::unique_ptr<Page>> ready_;        // sealed, waiting for the writer
    std::vector<std::unique_ptr<Page>> free_;        // recycled
    std::vector<std::pair<std::uint32_t, std::unique_ptr<Sink>>> adopted_;
    std::deque<FileJob> queued_jobs_;                // write_files(): one per Kind::files message
    bool closed_ = false;
    std::size_t next_file_id_ = 0;
    std::uint64_t tickets_issued_ = 0;
    std::uint64_t tickets_done_ = 0;

    std::atomic<bool> failed_{false};
    std::atomic<std::uint64_t> dropped_{0};
    mutable std::mutex err_mu_;
    std::error_code error_code_;
    std::string error_what_;

    std::mutex close_mu_;                            // close(): the join or a retry, one at a time
    std::vector<std::unique_ptr<Sink>> files_;       // writer thread (after it stopped: close_mu_)
    std::vector<std::string> unopened_;              // per file: its path while open() failed
    std::deque<FileJob> pending_jobs_;               // taken from the queue, not yet written (same)
    std::thread thread_;
};

}  // namespace tblog::detail
