// tblog::SummaryWriter — the public API, modelled line for line on PyTorch's
// torch.utils.tensorboard.SummaryWriter: same method names, argument order and defaults.
// Python's None is std::nullopt (or simply leaving the trailing argument out).
//
//   #include <tblog/writer.hpp>
//   tblog::SummaryWriter w("runs/exp1");
//   w.add_scalar("loss", 0.25, step);
//
// Every add_* builds the Summary bytes on the calling thread (pure, see summary.hpp), wraps
// them in an Event and hands them to the writer thread; the calling thread never touches
// files (add_embedding's files, too, are written by the writer thread, in queue order). add_* may be called from many threads at once. close() (or the destructor) writes
// everything that was accepted.
//
// Guarantees (docs/format.md, "Library guarantees", names the test of each):
//   * bad arguments throw std::invalid_argument naming the tag and the problem, before
//     anything is written, and leave the writer fully usable;
//   * every name is valid UTF-8 without NUL (summary::check_name), every path the writer
//     derives stays inside its base directory (detail::path_problem, one rule);
//   * I/O failures throw std::system_error and keep the unwritten records: a failed close()
//     or flush() is retried by the next close()/flush(); files hold whole records only;
//   * close() may race add_* on other threads: each such event is either written by that
//     close() or rejected with std::logic_error; an add_* after close() has returned starts a
//     new event file, as PyTorch does.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "tblog/detail/io/async_writer.hpp"
#include "tblog/detail/wire/event.hpp"
#include "tblog/detail/io/logdir_paths.hpp"
#include "tblog/detail/io/naming.hpp"
#include "tblog/detail/io/projector_files.hpp"
#include "tblog/detail/io/ranks.hpp"
#include "tblog/detail/wire/scalar_event.hpp"
#include "tblog/detail/io/storage.hpp"
#include "tblog/detail/wire/scratch.hpp"
#include "tblog/overflow_policy.hpp"
#include "tblog/summary.hpp"
#include "tblog/tensor.hpp"

namespace tblog {

using Step = std::optional<std::int64_t>;
using WallTime = std::optional<double>;

// An optional list argument (Python's `None` or a list): std::nullopt, a std::vector, or a
// braced list as PyTorch users write `metadata_header=['name', 'parity']` — a braced list
// cannot become a std::optional<std::vector<T>> by itself.
template <class T>
class OptionalList : public std::optional<std::vector<T>> {
    using Base = std::optional<std::vector<T>>;

public:
    OptionalList() = default;
    OptionalList(std::nullopt_t) {}                                         // NOLINT
    OptionalList(std::initializer_list<T> list) : Base(std::vector<T>(list)) {}  // NOLINT
    OptionalList(std::vector<T> list) : Base(std::move(list)) {}            // NOLINT
    OptionalList(Base list) : Base(std::move(list)) {}                       // NOLINT
};

// add_embedding's optional metadata: std::nullopt, anything an EmbeddingMetadata is made
// from, or a braced list of labels ({"cat", "dog"} or {0, 1}). Rows of columns go through
// EmbeddingMetadata or a std::vector<std::vector<std::string>>.
class OptionalMetadata : public std::optional<EmbeddingMetadata> {
    using Base = std::optional<EmbeddingMetadata>;

public:
    OptionalMetadata() = default;
    OptionalMetadata(std::nullopt_t) {}  // NOLINT
    template <class U, std::enable_if_t<std::is_convertible_v<const U&, EmbeddingMetadata>, int> = 0>
    OptionalMetadata(const U& m) : Base(EmbeddingMetadata(m)) {}  // NOLINT
    OptionalMetadata(std::initializer_list<std::string> labels)  // NOLINT
        : Base(EmbeddingMetadata(std::vector<std::string>(labels))) {}
    OptionalMetadata(std::initializer_list<std::int64_t> labels)  // NOLINT
        : Base(EmbeddingMetadata(std::vector<std::int64_t>(labels))) {}
    OptionalMetadata(Base m) : Base(std::move(m)) {}  // NOLINT
};

// add_scalars' insertion-ordered form: {{"train", 0.5}, {"val", 0.7}} as a Python dict.
using ScalarList = std::vector<std::pair<std::string, double>>;

// Everything SummaryWriter's constructor takes, plus the choices PyTorch does not offer.
struct WriterOptions {
    std::string log_dir;          // empty: runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>
    std::string comment;
    std::optional<std::int64_t> purge_step;
    int max_queue = 10;           // events waiting for the writer thread
    int flush_secs = 120;         // the writer thread hands data to the OS at least this often
    std::string filename_suffix;
    OverflowPolicy overflow = OverflowPolicy::block;
    // log_dir "s3://bucket/prefix/run": settings of the S3 storage (include <tblog/s3.hpp>,
    // link tblog::s3); empty fields come from AWS_* / S3_ENDPOINT as the AWS tools read them.
    S3Options s3;
    // Many processes (ranks) logging one run: see RankPolicy. With ranks_from_env, unset
    // rank/world_size are read from RANK / WORLD_SIZE (LOCAL_RANK if RANK is unset), as
    // torchrun sets them.
    std::optional<int> rank;
    std::optional<int> world_size;
    RankPolicy rank_policy = RankPolicy::rank0;
    bool ranks_from_env = false;
};

class SummaryWriter {
public:
    explicit SummaryWriter(std::string log_dir = "", std::string comment = "",
                           std::optional<std::int64_t> purge_step = std::nullopt, int max_queue = 10,
                           int flush_secs = 120, std::string filename_suffix = "")
        : SummaryWriter(pytorch_options(std::move(log_dir), std::move(comment), purge_step, max_queue, flush_secs,
                                        std::move(filename_suffix))) {}

    explicit SummaryWriter(WriterOptions options) : opt_(std::move(options)) {
        if (opt_.log_dir.find('\0') != std::string::npos)
            throw std::invalid_argument("tblog: log_dir contains a NUL byte");
        if (opt_.log_dir.empty()) {
            opt_.log_dir = detail::default_log_dir(opt_.comment);
            detail::check_contained_path("comment '" + summary::printable(opt_.comment) + "'", opt_.log_dir);
        }
        detail::check_contained_path("filename_suffix '" + summary::printable(opt_.filename_suffix) + "'",
                                     "events.out.tfevents.0" + opt_.filename_suffix);
        if (opt_.max_queue < 1) throw std::invalid_argument("tblog: max_queue must be >= 1");
        if (opt_.flush_secs < 0) throw std::invalid_argument("tblog: flush_secs must be >= 0");
        const auto ranks = detail::resolve_ranks(opt_.rank, opt_.world_size, opt_.rank_policy, opt_.ranks_from_env);
        disabled_ = !ranks.writes;
        storage_ = detail::storage_for(opt_.log_dir, opt_.s3);
        while (storage_ && opt_.log_dir.size() > 5 && opt_.log_dir.back() == '/') opt_.log_dir.pop_back();
        opt_.log_dir += ranks.log_dir_suffix;
        opt_.filename_suffix = ranks.file_tag + opt_.filename_suffix;
        if (!disabled_) open();
    }

    SummaryWriter(const SummaryWriter&) = delete;
    SummaryWriter& operator=(const SummaryWriter&) = delete;

    // Closes; if that fails the error is printed with exactly what could not be written (a
    // destructor cannot throw: call close() yourself to handle it, and retry).
    ~SummaryWriter() {
        try {
            close();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            if (auto* w = current_.load())
                for (const auto& lost : w->unwritten()) std::fprintf(stderr, "tblog: lost %s\n", lost.c_str());
        }
    }

    const std::string& get_logdir() const { return opt_.log_dir; }

    // ---- scalars ------------------------------------------------------------------------

    void add_scalar(std::string_view tag, double scalar_value, Step global_step = std::nullopt,
                    WallTime walltime = std::nullopt, bool new_style = false,
                    bool double_precision = false) {
        summary::check_tag(tag);
        const double wt = walltime ? *walltime : detail::now_seconds();
        const std::int64_t step = global_step.value_or(0);
        if (!new_style && tag.size() <= kFastTagMax) {  // the common case, see scalar_event.hpp
            char buf[detail::scalar_event_max_size(kFastTagMax)];
            const auto n = detail::encode_scalar_event(buf, wt, step, tag, static_cast<float>(scalar_value));
            push(main_file_, std::string_view(buf, n));
            return;
        }
        detail::Scratch scratch;
        detail::event::append_summary_event_with(scratch.bytes, wt, step, [&](detail::wire::ProtoWriter& w) {
            summary::write_scalar_value(w, tag, scalar_value, new_style, double_precision);
        });
        push(main_file_, scratch.bytes);
    }

    // One sub-run per key, at <log_dir>/<main_tag with '/' -> '_'>_<key>, each holding
    // `main_tag` as its scalar tag — the layout TensorBoard overlays in one chart. Every key
    // is checked before anything is written: the sub-run must stay inside log_dir.
    // A braced list {{"a", 1.0}, {"b", 2.0}} or a ScalarList keeps the caller's order, as a
    // Python dict does: the sub-runs are created (and TensorBoard lists them) in that order.
    // A std::map goes in key order.
    void add_scalars(std::string_view main_tag, std::initializer_list<std::pair<std::string, double>> tag_scalar_dict,
                     Step global_step = std::nullopt, WallTime walltime = std::nullopt) {
        add_scalars_in_order(main_tag, tag_scalar_dict, global_step, walltime);
    }
    void add_scalars(std::string_view main_tag, const ScalarList& tag_scalar_dict, Step global_step = std::nullopt,
                     WallTime walltime = std::nullopt) {
        add_scalars_in_order(main_tag, tag_scalar_dict, global_step, walltime);
    }
    void add_scalars(std::string_view main_tag, const std::map<std::string, double>& tag_scalar_dict,
                     Step global_step = std::nullopt, WallTime walltime = std::nullopt) {
        add_scalars_in_order(main_tag, tag_scalar_dict, global_step, walltime);
    }

    // SummaryWriter takes no torch::Tensor: say which class does (see tensor.hpp).
    template <class T, std::enable_if_t<looks_like_torch_tensor<T>::value, int> = 0>
    void add_scalar(std::string_view, const T&, Step = std::nullopt, WallTime = std::nullopt, bool = false,
                    bool = false) {
        static_assert(dependent_false<T>, TBLOG_TORCH_TENSOR_MESSAGE);
    }

    // ---- histograms, images, video, audio (summary/histogram.hpp, image.hpp, ...) -------
    // [section: media kinds]

    // Histogram of `values` (any shape, any dtype). bins: "tensorflow" (PyTorch's default),
    // a numpy estimator ("auto", "fd", ...), a bin count or explicit edges; see tblog::Bins.
    // NaN/Inf throw std::invalid_argument.
    void add_histogram(std::string_view tag, const TensorView& values, Step global_step = std::nullopt,
                       const Bins& bins = "tensorflow", WallTime walltime = std::nullopt,
                       std::optional<int> max_bins = std::nullopt) {
        add_summary(summary::histogram(tag, values, bins, max_bins), global_step, walltime);
    }

    // A histogram computed elsewhere: bucket_limits (right edges) and bucket_counts of one length.
    void add_histogram_raw(std::string_view tag, double min, double max, double num, double sum,
                           double sum_squares, const TensorView& bucket_limits,
                           const TensorView& bucket_counts, Step global_step = std::nullopt,
                           WallTime walltime = std::nullopt) {
        add_summary(summary::histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits,
                                           bucket_counts),
                    global_step, walltime);
    }

    // One image (float in [0, 1] or uint8), laid out as `dataformats`: CHW, HWC, HW, or any
    // permutation. One channel is shown as gray RGB; 3 is RGB, 4 RGBA.
    void add_image(std::string_view tag, const TensorView& img_tensor, Step global_step = std::nullopt,
                   WallTime walltime = std::nullopt, std::string_view dataformats = "CHW") {
        add_summary(summary::image(tag, img_tensor, dataformats), global_step, walltime);
    }

    // N images tiled into one grid (8 per row, as PyTorch's make_grid), NCHW or NHWC.
    void add_images(std::string_view tag, const TensorView& img_tensor, Step global_step = std::nullopt,
                    WallTime walltime = std::nullopt, std::string_view dataformats = "NCHW") {
        add_summary(summary::image(tag, img_tensor, dataformats), global_step, walltime);
    }

    // An image with red boxes (box_tensor (K, 4): xmin, ymin, xmax, ymax in pixels) and
    // optional labels, one per box; `rescale` resizes the result (Lanczos).
    void add_image_with_boxes(std::string_view tag, const TensorView& img_tensor, const TensorView& box_tensor,
                              Step global_step = std::nullopt, WallTime walltime = std::nullopt,
                              double rescale = 1, std::string_view dataformats = "CHW",
                              const OptionalList<std::string>& labels = std::nullopt) {
        add_summary(summary::image_boxes(tag, img_tensor, box_tensor, rescale, dataformats, labels), global_step,
                    walltime);
    }

    // Video (N, T, C, H, W), float in [0, 1] or uint8: an animated GIF at `fps` frames per
    // second; N clips are tiled into one frame, as PyTorch does.
    void add_video(std::string_view tag, const TensorView& vid_tensor, Step global_step = std::nullopt,
                   double fps = 4, WallTime walltime = std::nullopt) {
        add_summary(summary::video(tag, vid_tensor, fps), global_step, walltime);
    }

    // Mono audio: a 1-D array (after dropping size-1 axes) of samples in [-1, 1] (clipped),
    // written as a 16-bit PCM WAV.
    void add_audio(std::string_view tag, const TensorView& snd_tensor, Step global_step = std::nullopt,
                   double sample_rate = 44100, WallTime walltime = std::nullopt) {
        const summary::AudioSummary a(tag, snd_tensor, sample_rate);  // checks before anything is queued
        detail::Scratch scratch;
        detail::event::append_summary_event_sized(scratch.bytes, walltime ? *walltime : detail::now_seconds(),
                                                  global_step.value_or(0), a.size(),
                                                  [&](detail::wire::ProtoWriter& w) { a.write(w); });
        push(main_file_, scratch.bytes);
    }

    // ---- text, PR curves, custom scalars, mesh, hparams, embeddings, graphs ---------------
    // [section: structured kinds]

    // Text (Markdown) under "<tag>/text_summary", as PyTorch.
    void add_text(std::string_view tag, std::string_view text_string, Step global_step = std::nullopt,
                  WallTime walltime = std::nullopt) {
        add_summary(summary::text(tag, text_string), global_step, walltime);
    }

    // Precision-recall curve of `predictions` (in [0, 1]) against `labels` (1 = positive),
    // computed exactly as PyTorch's compute_curve (num_thresholds capped at 127).
    void add_pr_curve(std::string_view tag, const TensorView& labels, const TensorView& predictions,
                      Step global_step = std::nullopt, int num_thresholds = 127,
                      const std::optional<TensorView>& weights = std::nullopt,
                      WallTime walltime = std::nullopt) {
        add_summary(summary::pr_curve(tag, labels, predictions, num_thresholds, weights), global_step,
                    walltime);
    }

    // A precomputed curve: six 1-D arrays of one length. `weights` is ignored, as in PyTorch.
    void add_pr_curve_raw(std::string_view tag, const TensorView& true_positive_counts,
                          const TensorView& false_positive_counts, const TensorView& true_negative_counts,
                          const TensorView& false_negative_counts, const TensorView& precision,
                          const TensorView& recall, Step global_step = std::nullopt,
                          int num_thresholds = 127,
                          [[maybe_unused]] const std::optional<TensorView>& weights = std::nullopt,
                          WallTime walltime = std::nullopt) {
        add_summary(summary::pr_curve_raw(tag, true_positive_counts, false_positive_counts,
                                          true_negative_counts, false_negative_counts, precision,
                                          recall, num_thresholds),
                    global_step, walltime);
    }

    // Custom-scalars dashboard layout (charts combining several scalar tags), written once
    // per run like PyTorch: step 0, wall time now.
    void add_custom_scalars(const CustomScalarLayout& layout) {
        add_summary(summary::custom_scalars(layout));
    }

    void add_custom_scalars_multilinechart(const std::vector<std::string>& tags,
                                           const std::string& category = "default",
                                           const std::string& title = "untitled") {
        add_custom_scalars({{category, {{title, {"Multiline", tags}}}}});
    }

    // tags: value, lower bound, upper bound.
    void add_custom_scalars_marginchart(const std::vector<std::string>& tags,
                                        const std::string& category = "default",
                                        const std::string& title = "untitled") {
        add_custom_scalars({{category, {{title, {"Margin", tags}}}}});
    }

    // 3-D mesh / point cloud: vertices (B, N, 3), optional per-vertex colors (B, N, 3) in
    // 0-255 and faces (B, F, 3) of vertex indices; config_dict is the three.js scene config
    // (camera, lights, material) as a Json value (written like json.dumps, sort_keys=True).
    void add_mesh(std::string_view tag, const TensorView& vertices,
                  const std::optional<TensorView>& colors = std::nullopt,
                  const std::optional<TensorView>& faces = std::nullopt,
                  const std::optional<Json>& config_dict = std::nullopt, Step global_step = std::nullopt,
                  WallTime walltime = std::nullopt) {
        add_summary(summary::mesh(tag, vertices, colors, faces, config_dict), global_step, walltime);
    }

    // Hyperparameters and their metrics for the HParams dashboard, laid out as PyTorch does:
    // a sub-run <log_dir>/<run_name> (default: str(time.time())) holding the experiment,
    // session start and session end summaries, then each metric as a scalar (step 0).
    void add_hparams(const HParamDict& hparam_dict, const MetricDict& metric_dict,
                     const HParamDomainDict& hparam_domain_discrete = {},
                     const std::optional<std::string>& run_name = std::nullopt) {
        const auto s = summary::hparams(hparam_dict, metric_dict, hparam_domain_discrete);
        std::vector<std::string> metrics;
        for (const auto& [k, v] : metric_dict) metrics.push_back(summary::scalar(k, v));
        const auto name = summary::hparams_run_name(run_name, detail::now_seconds());
        auto* w = writer();
        const auto file = sub_file(w, opt_.log_dir + "/" + name);
        add_summary_to(w, file, s.experiment, std::nullopt, std::nullopt);
        add_summary_to(w, file, s.session_start_info, std::nullopt, std::nullopt);
        add_summary_to(w, file, s.session_end_info, std::nullopt, std::nullopt);
        for (const auto& m : metrics) add_summary_to(w, file, m, std::nullopt, std::nullopt);
    }

    // Model graph from a node list (see tblog::GraphNode in summary/graph.hpp), written as
    // PyTorch's add_graph does: an Event with the GraphDef (producer 22), then an Event with
    // RunMetadata tagged "step1"; no step, wall time now.
    void add_graph(const std::vector<GraphNode>& nodes, WallTime walltime = std::nullopt) {
        add_graph_def(summary::graph_def(nodes), walltime);
    }

    // The same for a GraphDef serialized elsewhere.
    void add_graph_def(std::string_view graph_def_bytes, WallTime walltime = std::nullopt) {
        const double wt = walltime ? *walltime : detail::now_seconds();
        const auto meta = summary::cpu_run_metadata();
        auto* w = writer();
        if (!w) return;
        w->push(main_file_, detail::event::graph_event(wt, graph_def_bytes));
        w->push(main_file_, detail::event::tagged_run_metadata_event(wt, summary::kGraphRunMetadataTag, meta));
    }

    // Points for TensorBoard's projector: mat (N, D); metadata: N labels, or N rows of
    // columns named by metadata_header; label_img (N, C, H, W) thumbnails in [0, 1] with
    // C = 1 or 3. Writes <log_dir>/<step:05d>/<tag>/{tensors,metadata}.tsv and sprite.png
    // and appends an entry to <log_dir>/projector_config.pbtxt, as PyTorch — but on the writer
    // thread, in order with the events: the files are there once flush() or close() returns,
    // and an I/O error surfaces there (the files are kept and written by the next retry).
    // Bad arguments still throw here, before anything is queued.
    void add_embedding(const TensorView& mat, const OptionalMetadata& metadata = std::nullopt,
                       const std::optional<TensorView>& label_img = std::nullopt,
                       Step global_step = std::nullopt, std::string_view tag = "default",
                       const OptionalList<std::string>& metadata_header = std::nullopt) {
        if (disabled_) return;
        auto files = summary::embedding_files(mat, metadata, label_img, global_step.value_or(0), tag,
                                              metadata_header);
        auto* w = writer();  // as PyTorch's _get_file_writer(): reopens after close()
        if (!w) return;
        std::string what = "add_embedding files in '" + opt_.log_dir + "/" + files.subdir + "' (not written)";
        w->write_files({std::move(what), [storage = storage_, log_dir = opt_.log_dir, f = std::move(files)] {
                            if (storage)
                                detail::write_embedding_files(*storage, log_dir, f);
                            else
                                detail::write_embedding_files(log_dir, f);
                        }});
    }

    // ---- raw access (as PyTorch's file_writer.add_summary / add_event) --------------------

    // Writes a serialized `Summary` message (e.g. from a tblog::summary builder).
    void add_summary(std::string_view summary_bytes, Step global_step = std::nullopt,
                     WallTime walltime = std::nullopt) {
        add_summary_to(writer(), main_file_, summary_bytes, global_step, walltime);
    }

    // Writes a serialized `Event` message as is.
    void add_event(std::string_view event_bytes) { push(main_file_, event_bytes); }

    // ---- lifetime -------------------------------------------------------------------------

    // Returns once everything accepted so far is in the OS (visible to readers).
    // After close() there is nothing to flush (and no new file is started), as in PyTorch;
    // after a close() that failed, flush() retries it.
    void flush() {
        auto* w = current_.load();
        if (!w) return;
        if (w->closed()) return close_writer(w);  // only w: not a writer reopened meanwhile
        w->flush();
    }

    // Writes everything and closes the files. A later add_* starts a new event file in the
    // same log_dir, as PyTorch does. If writing fails (std::system_error), the unwritten
    // records stay and the next close() or flush() writes them; until then add_* throws
    // that error. add_* racing close() on another thread is written by this close() or
    // throws std::logic_error.
    void close() { close_writer(current_.load()); }

    // Events dropped under OverflowPolicy::discard_new (always 0 with block).
    std::uint64_t dropped_events() const {
        std::lock_guard<std::mutex> lk(mu_);
        auto* w = current_.load();
        return dropped_before_ + (w ? w->dropped() : 0);
    }

protected:
    static WriterOptions pytorch_options(std::string log_dir, std::string comment, std::optional<std::int64_t> purge_step,
                                         int max_queue, int flush_secs, std::string filename_suffix) {
        WriterOptions o;
        o.log_dir = std::move(log_dir);
        o.comment = std::move(comment);
        o.purge_step = purge_step;
        o.max_queue = max_queue;
        o.flush_secs = flush_secs;
        o.filename_suffix = std::move(filename_suffix);
        return o;
    }

    // add_scalars over any range of (key, value) pairs, in its order.
    template <class Pairs>
    void add_scalars_in_order(std::string_view main_tag, const Pairs& tag_scalar_dict, Step global_step,
                              WallTime walltime) {
        summary::check_tag(main_tag);
        const double wt = walltime ? *walltime : detail::now_seconds();
        std::string dir_tag(main_tag);
        for (auto& c : dir_tag)
            if (c == '/') c = '_';
        for (const auto& [key, value] : tag_scalar_dict) {
            if (key.empty()) summary::invalid(main_tag, "add_scalars: empty key in tag_scalar_dict");
            const auto problem = detail::path_problem(dir_tag + "_" + key);
            if (!problem.empty())
                summary::invalid(main_tag, "add_scalars: key '" + summary::printable(key) + "': sub-run " + problem);
        }
        for (const auto& [key, value] : tag_scalar_dict) {
            auto* w = writer();
            const auto file = sub_file(w, opt_.log_dir + "/" + dir_tag + "_" + key);
            add_summary_to(w, file, summary::scalar(main_tag, value), global_step, wt);
        }
    }

    // Wraps summary bytes in an Event for file `file` of writer `w` (main_file_ or a sub_file()).
    void add_summary_to(detail::AsyncWriter* w, std::uint32_t file, std::string_view summary_bytes,
                        Step global_step, WallTime walltime) {
        if (!w) return;
        detail::Scratch scratch;
        detail::event::append_summary_event(scratch.bytes, walltime ? *walltime : detail::now_seconds(),
                                            global_step.value_or(0), summary_bytes);
        w->push(file, scratch.bytes);
    }

    // The event file of a sub-run of writer `w` (created on first use, on the writer thread).
    std::uint32_t sub_file(detail::AsyncWriter* w, const std::string& dir) {
        if (!w) return 0;
        std::lock_guard<std::mutex> lk(mu_);
        if (w != current_.load())  // closed meanwhile: its file ids mean nothing to the next writer
            throw std::logic_error("tblog: the writer is closed (add_* raced close() on another thread)");
        auto it = sub_files_.find(dir);
        if (it != sub_files_.end()) return it->second;
        const double now = detail::now_seconds();
        const auto id = w->open_async(dir + "/" + detail::event_file_name(now, opt_.filename_suffix),
                                      detail::event::file_version(now));
        sub_files_.emplace(dir, id);
        return id;
    }

    void push(std::uint32_t file, std::string_view event_bytes) {
        if (auto* w = writer()) w->push(file, event_bytes);  // none: a non-zero rank under rank0
    }

    // Closes `w` if it is still the current writer; on success the next add_* opens a new one.
    void close_writer(detail::AsyncWriter* w) {
        std::lock_guard<std::mutex> one_close(close_mu_);
        if (!w || w != current_.load()) return;
        w->close();  // throws: w stays current, for the retry
        std::lock_guard<std::mutex> lk(mu_);
        current_.store(nullptr);
        sub_files_.clear();
        dropped_before_ += w->dropped();
    }

    static constexpr std::uint32_t main_file_ = 0;  // the first file every writer opens
    static constexpr std::size_t kFastTagMax = 200;

private:
    // The current AsyncWriter; after close(), a new one (PyTorch reopens on add). Writers
    // are never destroyed before the SummaryWriter: an add_* on another thread may still hold
    // the pointer of one that close() just closed, and gets std::logic_error from it, not a
    // dangling pointer. A closed writer has given back its buffers, so keeping it is cheap.
    // Null for a rank that does not write (RankPolicy::rank0): callers then do nothing.
    detail::AsyncWriter* writer() {
        if (auto* w = current_.load(std::memory_order_acquire)) return w;
        if (disabled_) return nullptr;
        std::lock_guard<std::mutex> lk(mu_);
        if (!current_.load()) open_locked();
        return current_.load();
    }

    void open() {
        std::lock_guard<std::mutex> lk(mu_);
        open_locked();
    }

    void open_locked() {
        detail::AsyncWriter::SinkMaker make_sink;
        if (storage_) {
            make_sink = [s = storage_] { return s->make_sink(); };  // object stores have no directories
        } else {
            std::error_code ec;
            std::filesystem::create_directories(opt_.log_dir, ec);
            if (ec) throw std::system_error(ec, "tblog: cannot create log_dir '" + opt_.log_dir + "'");
        }
        auto w = std::make_unique<detail::AsyncWriter>(static_cast<std::size_t>(opt_.max_queue),
                                                       opt_.flush_secs, opt_.overflow, std::move(make_sink));
        const double now = detail::now_seconds();
        w->open_now(opt_.log_dir + "/" + detail::event_file_name(now, opt_.filename_suffix),
                    detail::event::file_version(now));
        if (opt_.purge_step) {
            // PyTorch: an Event{step, file_version} then Event{step, SessionLog START}; the
            // loader then discards earlier-written events with step >= purge_step.
            w->push(main_file_, detail::event::purge_marker_version(now, *opt_.purge_step));
            w->push(main_file_, detail::event::session_start(now, *opt_.purge_step));
            opt_.purge_step.reset();  // only the first file purges, as in PyTorch
        }
        current_.store(w.get(), std::memory_order_release);
        writers_.push_back(std::move(w));
    }

    WriterOptions opt_;
    bool disabled_ = false;                    // this rank does not write (RankPolicy::rank0)
    std::shared_ptr<detail::Storage> storage_;  // s3://...; nullptr for a local log_dir
    mutable std::mutex mu_;       // current_ changes, writers_, sub_files_
    std::mutex close_mu_;         // one close() at a time
    std::atomic<detail::AsyncWriter*> current_{nullptr};
    std::vector<std::unique_ptr<detail::AsyncWriter>> writers_;  // every writer ever opened
    std::map<std::string, std::uint32_t> sub_files_;
    std::uint64_t dropped_before_ = 0;
};

}  // namespace tblog
