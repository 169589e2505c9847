#include "ingest.hpp"

#include <cmath>
#include <cstring>

#include "event.pb.h"
#include "plugin_audio.pb.h"
#include "plugin_image.pb.h"
#include "plugins/plugin_unit.hpp"
#include "scalar_fastpath.hpp"
#include "summary.pb.h"
#include "tblog/detail/text/utf8.hpp"
#include "tensor.pb.h"

namespace tblog::view {

namespace {

constexpr std::string_view kRunGraphTag = "__run_graph__";

SeriesMetadata blank(std::string plugin, DataClass cls, std::string content = {}) {
    SeriesMetadata m;
    m.plugin_name = std::move(plugin);
    m.plugin_content = std::move(content);
    m.data_class = cls;
    return m;
}

SeriesMetadata from_proto(const tensorboard::SummaryMetadata& md) {
    SeriesMetadata m;
    m.data_class = static_cast<DataClass>(md.data_class());
    m.plugin_name = md.plugin_data().plugin_name();
    m.plugin_content = md.plugin_data().content();
    m.display_name = md.display_name();
    m.description = md.summary_description();
    return m;
}

// The metadata a new series gets from its first value (see the rules in ingest.hpp).
SeriesMetadata initial_metadata(const tensorboard::Summary::Value& v) {
    using V = tensorboard::Summary::Value;
    if (v.has_metadata() && v.metadata().data_class() != tensorboard::DATA_CLASS_UNKNOWN)
        return from_proto(v.metadata());
    switch (v.value_case()) {
        case V::kSimpleValue: return blank("scalars", DataClass::scalar);
        case V::kImage: {
            tensorboard::ImagePluginData d;
            d.set_converted_to_tensor(true);
            return blank("images", DataClass::blob_sequence, d.SerializeAsString());
        }
        case V::kAudio: {
            tensorboard::AudioPluginData d;
            d.set_converted_to_tensor(true);
            return blank("audio", DataClass::blob_sequence, d.SerializeAsString());
        }
        case V::kHisto: return blank("histograms", DataClass::tensor);
        default: break;
    }
    if (!v.has_metadata()) return SeriesMetadata{};
    SeriesMetadata m = from_proto(v.metadata());
    m.data_class = data_class_of_plugin(m.plugin_name);  // the owning unit says
    return m;
}

bool is_rank0(const tensorboard::TensorProto& t) { return t.tensor_shape().dim_size() == 0; }

// A rank-0 float tensor as a scalar. DT_DOUBLE is accepted too (TensorBoard's Rust loader drops
// it; PyTorch writes it for add_scalar(new_style=True, double_precision=True)).
bool tensor_to_scalar(const tensorboard::TensorProto& t, float& out) {
    if (!is_rank0(t)) return false;
    if (t.dtype() == tensorboard::DT_FLOAT) {
        if (t.float_val_size() == 1) return out = t.float_val(0), true;
        if (t.float_val_size() == 0 && t.tensor_content().size() == 4)
            return std::memcpy(&out, t.tensor_content().data(), 4), true;
    } else if (t.dtype() == tensorboard::DT_DOUBLE) {
        double d;
        if (t.double_val_size() == 1) return out = static_cast<float>(t.double_val(0)), true;
        if (t.double_val_size() == 0 && t.tensor_content().size() == 8)
            return std::memcpy(&d, t.tensor_content().data(), 8), out = static_cast<float>(d), true;
    }
    return false;
}

// HistogramProto -> DT_DOUBLE tensor [k, 3] of (left, right, count) rows.
bool histo_to_tensor(const tensorboard::HistogramProto& h, std::string& out) {
    const int k = h.bucket_size();
    if (k != h.bucket_limit_size()) return false;
    std::string content(static_cast<std::size_t>(k) * 3 * sizeof(double), '\0');
    auto* p = reinterpret_cast<unsigned char*>(content.data());
    for (int i = 0; i < k; ++i) {
        const double row[3] = {i == 0 ? h.min() : h.bucket_limit(i - 1),
                               i == k - 1 ? h.max() : h.bucket_limit(i), h.bucket(i)};
        std::memcpy(p + static_cast<std::size_t>(i) * sizeof(row), row, sizeof(row));
    }
    tensorboard::TensorProto t;
    t.set_dtype(tensorboard::DT_DOUBLE);
    t.mutable_tensor_shape()->add_dim()->set_size(k);
    t.mutable_tensor_shape()->add_dim()->set_size(3);
    t.set_tensor_content(std::move(content));
    out = t.SerializeAsString();
    return true;
}

bool to_blob_sequence(const tensorboard::Summary::Value& v, const SeriesMetadata& meta, std::vector<std::string>& out) {
    using V = tensorboard::Summary::Value;
    switch (v.value_case()) {
        case V::kImage:
            out = {std::to_string(v.image().width()), std::to_string(v.image().height()),
                   v.image().encoded_image_string()};
            return true;
        case V::kAudio: out = {v.audio().encoded_audio_string()}; return true;
        case V::kTensor: {
            const auto& t = v.tensor();
            if (t.dtype() != tensorboard::DT_STRING) return false;
            const auto& dims = t.tensor_shape().dim();
            if (dims.size() == 1) {
                out.assign(t.string_val().begin(), t.string_val().end());
                return true;
            }
            if (dims.size() == 2 && dims[1].size() == 2 && meta.plugin_name == "audio") {
                out.clear();  // [k, 2]: clip and label; only the clips are kept
                for (int i = 0; i + 1 < t.string_val_size(); i += 2) out.push_back(t.string_val(i));
                return true;
            }
            if (dims.empty() && t.string_val_size() == 1 &&
                (meta.plugin_name == "graph_run_metadata" || meta.plugin_name == "graph_run_metadata_graph" ||
                 meta.plugin_name == "graph_keras_model")) {
                out = {t.string_val(0)};
                return true;
            }
            return false;
        }
        default: return false;
    }
}

// A cheap hash for the tag cache: the first and last 8 bytes and the length. Fixed-size loads
// only (a variable-length memcpy into a local stalls on store forwarding).
std::size_t tag_hash(std::string_view s) {
    std::uint64_t a = 0, b = 0;
    if (s.size() >= 8) {
        std::memcpy(&a, s.data(), 8);
        std::memcpy(&b, s.data() + s.size() - 8, 8);
    } else {
        for (char c : s) a = (a << 8) | static_cast<unsigned char>(c);
    }
    const std::uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ ((b + s.size()) * 0xC2B2AE3D27D4EB4FULL);
    return static_cast<std::size_t>(h ^ (h >> 29));
}

// a == b, without a memcmp call for tags of 8..16 bytes (the common case).
bool same_tag(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.size() < 8 || a.size() > 16) return a == b;
    std::uint64_t x0, x1, y0, y1;
    std::memcpy(&x0, a.data(), 8);
    std::memcpy(&y0, b.data(), 8);
    std::memcpy(&x1, a.data() + a.size() - 8, 8);
    std::memcpy(&y1, b.data() + b.size() - 8, 8);
    return x0 == y0 && x1 == y1;
}

}  // namespace

void RunIngestor::note_wall_time(double wall_time) {
    if (!run_.start_time || wall_time < *run_.start_time) run_.start_time = wall_time;
}

Series* RunIngestor::find(std::string_view tag) {
    std::string escaped;  // a tag that is not UTF-8 is kept under its display name
    if (!detail::utf8::is_valid(tag)) tag = escaped = detail::utf8::backslash_escape(tag);
    CacheSlot& slot = cache_[tag_hash(tag) % kCacheSlots];
    if (slot.series && same_tag(slot.key, tag)) return slot.series;
    auto it = run_.series.find(tag);
    if (it == run_.series.end()) return nullptr;
    slot.key = it->first;
    slot.series = &it->second;
    return slot.series;
}

Series& RunIngestor::create(std::string_view tag, SeriesMetadata meta) {
    std::string escaped;
    if (!detail::utf8::is_valid(tag)) tag = escaped = detail::utf8::backslash_escape(tag);
    auto [it, inserted] = run_.series.try_emplace(std::string(tag));
    Series& s = it->second;
    if (inserted) {
        const std::size_t cap = policy_.capacity(meta.plugin_name, meta.data_class);
        s.tensors = Reservoir<TensorBytes>(cap);
        s.blobs = Reservoir<BlobSequence>(cap);
        s.scalars.attach(run_.budget());
        run_.charge_fixed(Run::fixed_bytes(it->first, meta));
        s.meta = std::move(meta);
    }
    return s;
}

void RunIngestor::apply(std::string_view record) {
    ++counters_.events;
    FastScalarEvent ev;
    if (!parse_scalar_event(record.data(), record.size(), ev)) return apply_slow(record);
    // A tag seen for the first time with metadata may not be a plain scalar: slow path.
    Series* series[FastScalarEvent::kMaxValues];
    for (int i = 0; i < ev.count; ++i) {
        series[i] = find(ev.values[i].tag);
        if (!series[i] && ev.values[i].has_metadata) return apply_slow(record);
    }
    if (std::isnan(ev.wall_time)) return;
    ++counters_.fast_events;
    note_wall_time(ev.wall_time);
    for (int i = 0; i < ev.count; ++i) {
        Series* s = series[i];
        if (!s) s = &create(ev.values[i].tag, blank("scalars", DataClass::scalar));
        if (s->meta.data_class != DataClass::scalar) {
            ++counters_.dropped_values;
            continue;
        }
        s->scalars.push(ev.step, ev.wall_time, ev.values[i].value);
    }
}

void RunIngestor::apply_slow(std::string_view record) {
    tensorboard::Event e;
    if (!e.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
        ++counters_.unparsable;
        return;
    }
    if (std::isnan(e.wall_time())) return;
    note_wall_time(e.wall_time());
    const std::int64_t step = e.step();
    const double wall = e.wall_time();

    switch (e.what_case()) {
        case tensorboard::Event::kGraphDef: {
            Series* s = find(kRunGraphTag);
            if (!s) s = &create(kRunGraphTag, blank("graphs", DataClass::blob_sequence));
            if (s->meta.data_class == DataClass::blob_sequence) s->blobs.offer(step, wall, {Blob(e.graph_def(), run_.budget())});
            return;
        }
        case tensorboard::Event::kTaggedRunMetadata: {
            const auto& trm = e.tagged_run_metadata();
            Series* s = find(trm.tag());
            if (!s) s = &create(trm.tag(), blank("graph_tagged_run_metadata", DataClass::blob_sequence));
            if (s->meta.data_class == DataClass::blob_sequence) s->blobs.offer(step, wall, {Blob(trm.run_metadata(), run_.budget())});
            return;
        }
        case tensorboard::Event::kSessionLog:
            if (e.session_log().status() == tensorboard::SessionLog::START)
                for (auto& [tag, s] : run_.series) s.purge_from(step);
            return;
        case tensorboard::Event::kSummary: break;
        default: return;
    }

    for (const auto& value : e.summary().value()) {
        // A value carrying only metadata (e.g. PyTorch's hparams) stands for an empty tensor.
        const tensorboard::Summary::Value* vp = &value;
        tensorboard::Summary::Value with_null_tensor;
        if (value.value_case() == tensorboard::Summary::Value::VALUE_NOT_SET) {
            with_null_tensor = value;
            auto* t = with_null_tensor.mutable_tensor();
            t->set_dtype(tensorboard::DT_FLOAT);
            t->mutable_tensor_shape()->add_dim()->set_size(0);
            vp = &with_null_tensor;
        }
        const tensorboard::Summary::Value& v = *vp;
        Series* s = find(v.tag());
        if (!s) s = &create(v.tag(), initial_metadata(v));
        bool stored = false;
        switch (s->meta.data_class) {
            case DataClass::scalar: {
                float f;
                if (v.value_case() == tensorboard::Summary::Value::kSimpleValue)
                    f = v.simple_value(), stored = true;
                else if (v.value_case() == tensorboard::Summary::Value::kTensor)
                    stored = tensor_to_scalar(v.tensor(), f);
                if (stored) s->scalars.push(step, wall, f);
                break;
            }
            case DataClass::tensor: {
                std::string bytes;
                if (v.value_case() == tensorboard::Summary::Value::kTensor)
                    bytes = v.tensor().SerializeAsString(), stored = true;
                else if (v.value_case() == tensorboard::Summary::Value::kHisto)
                    stored = histo_to_tensor(v.histo(), bytes);
                if (stored) s->tensors.offer(step, wall, TensorBytes(std::move(bytes), run_.budget()));
                break;
            }
            case DataClass::blob_sequence: {
                std::vector<std::string> parts;
                stored = to_blob_sequence(v, s->meta, parts);
                if (stored) {
                    BlobSequence blobs;
                    blobs.reserve(parts.size());
                    for (std::string& p : parts) blobs.emplace_back(std::move(p), run_.budget());
                    s->blobs.offer(step, wall, std::move(blobs));
                }
                break;
            }
            case DataClass::unknown: stored = true; break;  // ignored on purpose, not a loss
        }
        if (!stored) ++counters_.dropped_values;
    }
}

}  // namespace tblog::view
