// One event file in an S3 bucket. S3 cannot append, so the stream is stored as consecutive
// *segment objects*, each a complete event file:
//   <dir>/events.out.tfevents.<secs>.<host>.<pid>.<n><suffix>.<seg:08d>
// Segment 0 begins with the writer's own file_version event; every later segment begins with
// a fresh file_version event (TensorBoard's loaders apply their out-of-order purge rules to a
// file without one), then the records accepted since the previous segment. A segment is cut
// when flush_secs passes, at flush(), at close() and at S3Options::segment_bytes; no byte is
// uploaded twice.
//
// Runs on the writer thread only. Segments wait in a Spool until stored; transient failures
// are retried with backoff and jitter; permanent ones are returned as errors (describe()
// names the URL and S3's error code) and retried too, in case the cause is fixed.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "tblog/detail/wire/event.hpp"
#include "tblog/detail/io/naming.hpp"
#include "tblog/detail/io/record.hpp"
#include "tblog/detail/io/s3_client.hpp"
#include "tblog/detail/io/s3_spool.hpp"
#include "tblog/detail/io/storage.hpp"

namespace tblog::detail::s3 {

// "<base>.00000012": zero-padded so that names sort in write order.
inline std::string segment_key(const std::string& base_key, std::uint64_t seq) {
    char b[24];
    std::snprintf(b, sizeof(b), ".%08llu", static_cast<unsigned long long>(seq));
    return base_key + b;
}

class SegmentSink final : public Sink {
public:
    using Clock = std::chrono::steady_clock;

    explicit SegmentSink(const S3Options& opt)
        : opt_(resolve(opt)), spool_(opt_.spool_memory_bytes, opt_.spool_dir) {}

    std::error_code open(const std::string& path) override {
        path_ = path;
        try {
            loc_ = parse_url(path);
            client_ = std::make_unique<Client>(opt_);
        } catch (const std::exception& e) {
            last_error_ = std::string("tblog: ") + e.what();
            return std::make_error_code(std::errc::invalid_argument);
        }
        return {};
    }

    // Size threshold and flush_secs: cut a segment, try to store what is due, never wait.
    std::error_code write_out() override {
        cut();
        return drain(Clock::now(), false);
    }

    // flush(): cut, then keep trying for flush_timeout_secs. A store that stays unreachable
    // leaves the rest spooled (retried later) without an error; a permanent failure is one.
    std::error_code flush() override {
        cut();
        return drain(Clock::now() + secs(opt_.flush_timeout_secs), true);
    }

    std::error_code close() override {
        cut();
        auto ec = drain(Clock::now() + secs(opt_.close_timeout_secs), true);
        if (spool_.empty()) return ec;
        const bool on_disk = spool_.persist();
        unstored_ = std::to_string(spool_.size()) + " segment(s), " + std::to_string(spool_.bytes()) +
                    " bytes, not stored in the bucket after " + std::to_string(opt_.close_timeout_secs) + " s (" +
                    last_error_ + "); they stay " +
                    (on_disk ? "in the spool file " + spool_.file() : std::string("in memory (the spool disk refused them)")) +
                    ", as the objects " + spool_.keys();
        return ec ? ec : std::make_error_code(std::errc::timed_out);
    }

    bool has_pending() const override { return !pending_.empty() || !spool_.empty(); }
    std::size_t write_chunk() const override { return opt_.segment_bytes; }

    std::string describe(std::error_code ec) const override {
        if (!unstored_.empty()) return "tblog: " + path_ + ": " + unstored_;
        return "tblog: " + (last_error_.empty() ? path_ + ": " + ec.message() : last_error_);
    }

    const Spool& spool() const { return spool_; }
    std::uint64_t segments_cut() const { return seq_; }
    std::uint64_t bytes_uploaded() const { return uploaded_; }

private:
    static Clock::duration secs(double s) {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
    }

    void cut() {
        if (pending_.empty()) return;
        std::string seg;
        if (seq_ > 0) record::append(seg, event::file_version(now_seconds()));
        seg += pending_;
        pending_.clear();
        spool_.push(segment_key(loc_.key, seq_++), std::move(seg));
    }

    // Stores spooled segments in order until the spool is empty, or `deadline` passes, or a
    // permanent failure. With `wait`, sleeps through backoff delays that end before deadline.
    std::error_code drain(Clock::time_point deadline, bool wait) {
        std::string bytes;
        while (!spool_.empty()) {
            const auto now = Clock::now();
            if (now < next_try_) {
                if (!wait || next_try_ > deadline) return {};
                std::this_thread::sleep_until(next_try_);
                continue;
            }
            if (wait && now > deadline) return {};
            if (!spool_.front(bytes)) {
                last_error_ = "cannot read the spool file " + spool_.file();
                return std::make_error_code(std::errc::io_error);
            }
            const auto r = client_->put_object(loc_.bucket, spool_.front_key(), bytes);
            if (r.ok()) {
                uploaded_ += bytes.size();
                spool_.pop();
                attempts_ = 0;
                last_error_.clear();
                continue;
            }
            last_error_ = r.describe();
            next_try_ = Clock::now() + backoff(attempts_++);
            if (!r.transient()) return r.to_error_code();
            if (!wait) return {};
        }
        return {};
    }

    S3Options opt_;
    Location loc_;
    std::unique_ptr<Client> client_;
    Spool spool_;
    std::uint64_t seq_ = 0;
    std::uint64_t uploaded_ = 0;
    int attempts_ = 0;
    Clock::time_point next_try_{};
    std::string last_error_;
    std::string unstored_;
};

}  // namespace tblog::detail::s3
