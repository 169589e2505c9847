#include "tensor_util.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tblog::view {

namespace {

template <class T>
void from_content(const std::string& content, std::vector<double>& out) {
    const std::size_t n = content.size() / sizeof(T);
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, content.data() + i * sizeof(T), sizeof(T));
        out[i] = static_cast<double>(v);
    }
}

// Elements from tensor_content (raw little-endian T) or else from the typed list.
template <class T, class List>
void values(const std::string& content, const List& list, std::vector<double>& out) {
    if (!content.empty()) from_content<T>(content, out);
    else out.assign(list.begin(), list.end());
}

// IEEE half and bfloat16, stored in the low 16 bits.
double half_to_double(std::uint32_t h) {
    const std::uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, frac = h & 0x3FF;
    double v;
    if (exp == 0)
        v = std::ldexp(static_cast<double>(frac), -24);
    else if (exp == 31)
        v = frac ? std::nan("") : INFINITY;
    else
        v = std::ldexp(static_cast<double>(frac | 0x400), static_cast<int>(exp) - 25);
    return sign ? -v : v;
}
double bfloat16_to_double(std::uint32_t b) {
    const std::uint32_t bits = (b & 0xFFFF) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

}  // namespace

bool parse_tensor(std::string_view bytes, Tensor& out) {
    if (!out.proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
    out.shape.clear();
    for (const auto& d : out.proto.tensor_shape().dim()) out.shape.push_back(d.size());
    return true;
}

std::size_t Tensor::num_elements() const {
    std::size_t n = 1;
    for (auto d : shape) {
        const auto dim = static_cast<std::size_t>(d < 0 ? 0 : d);
        if (dim != 0 && n > SIZE_MAX / dim) return SIZE_MAX;  // saturates: no tensor this big is served
        n *= dim;
    }
    return n;
}

bool Tensor::to_doubles(std::vector<double>& out) const {
    const auto& p = proto;
    const std::string& c = p.tensor_content();
    out.clear();
    switch (p.dtype()) {
        case tensorboard::DT_FLOAT: values<float>(c, p.float_val(), out); break;
        case tensorboard::DT_DOUBLE: values<double>(c, p.double_val(), out); break;
        case tensorboard::DT_INT32: values<std::int32_t>(c, p.int_val(), out); break;
        case tensorboard::DT_INT16: values<std::int16_t>(c, p.int_val(), out); break;
        case tensorboard::DT_INT8: values<std::int8_t>(c, p.int_val(), out); break;
        case tensorboard::DT_UINT16: values<std::uint16_t>(c, p.int_val(), out); break;
        case tensorboard::DT_UINT8: values<std::uint8_t>(c, p.int_val(), out); break;
        case tensorboard::DT_INT64: values<std::int64_t>(c, p.int64_val(), out); break;
        case tensorboard::DT_UINT32: values<std::uint32_t>(c, p.uint32_val(), out); break;
        case tensorboard::DT_UINT64: values<std::uint64_t>(c, p.uint64_val(), out); break;
        case tensorboard::DT_BOOL: values<std::uint8_t>(c, p.bool_val(), out); break;
        case tensorboard::DT_HALF:
        case tensorboard::DT_BFLOAT16: {
            const bool half = p.dtype() == tensorboard::DT_HALF;
            if (!c.empty()) {
                for (std::size_t i = 0; i + 1 < c.size(); i += 2) {
                    std::uint16_t v;
                    std::memcpy(&v, c.data() + i, 2);
                    out.push_back(half ? half_to_double(v) : bfloat16_to_double(v));
                }
            } else {
                for (int v : p.half_val()) out.push_back(half ? half_to_double(static_cast<std::uint32_t>(v)) : bfloat16_to_double(static_cast<std::uint32_t>(v)));
            }
            break;
        }
        default: return false;
    }
    const std::size_t n = num_elements();
    // A single typed value may stand for a whole tensor filled with it (TensorFlow's rule).
    // The record is a few bytes whatever the shape says, so the expansion is bounded: a
    // hostile shape must not make one request allocate gigabytes (a tensor this big written
    // out in full could not be a record either: records are capped far below this).
    if (out.size() == 1 && n > 1) {
        if (n > kMaxExpandedElements) return false;
        out.assign(n, out[0]);
    }
    return out.size() == n;
}

std::vector<std::size_t> downsample_indices(std::size_t n, std::size_t k) {
    std::vector<std::size_t> idx;
    if (k == 0 || n == 0) return idx;
    if (k >= n) {
        for (std::size_t i = 0; i < n; ++i) idx.push_back(i);
        return idx;
    }
    for (std::size_t j = 0; j + 1 < k; ++j) idx.push_back(j * (n - 1) / (k - 1));
    idx.push_back(n - 1);
    return idx;
}

namespace {

using Bytes = const unsigned char*;

bool wire_varint(Bytes& p, Bytes end, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p == end) return false;
        const unsigned char b = *p++;
        v |= std::uint64_t(b & 0x7F) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

// Calls f(field, wire_type, varint value, length-delimited payload) per field; false on
// malformed bytes or groups.
template <class F>
bool for_each_field(std::string_view msg, F&& f) {
    auto p = reinterpret_cast<Bytes>(msg.data());
    const auto end = p + msg.size();
    while (p < end) {
        std::uint64_t key, v = 0;
        if (!wire_varint(p, end, key)) return false;
        std::string_view payload;
        switch (key & 7) {
            case 0:
                if (!wire_varint(p, end, v)) return false;
                break;
            case 1:
                if (end - p < 8) return false;
                p += 8;
                break;
            case 2:
                if (!wire_varint(p, end, v) || v > std::uint64_t(end - p)) return false;
                payload = std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(v));
                p += v;
                break;
            case 5:
                if (end - p < 4) return false;
                p += 4;
                break;
            default:
                return false;
        }
        if (!f(key >> 3, key & 7, v, payload)) return false;
    }
    return true;
}

}  // namespace

bool parse_string_tensor(std::string_view bytes, StringTensorView& out) {
    out = StringTensorView{};
    std::uint64_t dtype = 0;
    const bool ok = for_each_field(bytes, [&](std::uint64_t field, std::uint64_t wt, std::uint64_t v, std::string_view pl) {
        if (field == 1 && wt == 0) dtype = v;
        if (field == 8 && wt == 2) out.strings.push_back(pl);
        if (field == 2 && wt == 2)  // TensorShapeProto: dim (2) { size (1) }
            return for_each_field(pl, [&](std::uint64_t f, std::uint64_t w, std::uint64_t, std::string_view dim) {
                if (f != 2 || w != 2) return true;
                std::int64_t size = 0;
                const bool dim_ok = for_each_field(dim, [&](std::uint64_t df, std::uint64_t dw, std::uint64_t dv, std::string_view) {
                    if (df == 1 && dw == 0) size = static_cast<std::int64_t>(dv);
                    return true;
                });
                out.shape.push_back(size);
                return dim_ok;
            });
        return true;
    });
    return ok && dtype == tensorboard::DT_STRING;
}

}  // namespace tblog::view
