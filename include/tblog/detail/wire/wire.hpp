// Protocol-buffer wire format, written by hand so users never link libprotobuf.
//
// ProtoWriter appends fields to a caller-owned std::string. Nothing is allocated per
// field: the buffer only grows (and callers on hot paths reuse one). Nested messages are
// written in place: begin() reserves one length byte, end() patches it and, only for a
// message of 128 bytes or more, shifts the body right to make room for a longer varint.
//
// Like proto3 serializers, callers skip fields equal to their default when the schema
// has no presence for them; the helpers named *_nonzero do that.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tblog::detail::wire {

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

inline std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

inline char* put_varint(char* p, std::uint64_t v) {
    while (v >= 0x80) {
        *p++ = static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
}

// Bytes a length-delimited field with an n-byte body takes: tag, length, body.
inline std::size_t delimited_size(std::uint32_t field, std::size_t n) {
    return varint_size(std::uint64_t{field} << 3 | 2) + varint_size(n) + n;
}

inline std::uint64_t zigzag64(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

class ProtoWriter {
public:
    explicit ProtoWriter(std::string& out) : out_(out) {}

    std::string& buffer() { return out_; }

    void tag(std::uint32_t field, WireType type) { raw_varint((std::uint64_t{field} << 3) | type); }

    void raw_varint(std::uint64_t v) {
        char tmp[10];
        out_.append(tmp, static_cast<std::size_t>(put_varint(tmp, v) - tmp));
    }

    void raw_bytes(const void* data, std::size_t n) { out_.append(static_cast<const char*>(data), n); }

    template <class T>
    void raw_fixed(T v) {  // little-endian hosts only (x86-64, AArch64)
        static_assert(sizeof(T) == 4 || sizeof(T) == 8, "fixed32 or fixed64");
        char tmp[sizeof(T)];
        std::memcpy(tmp, &v, sizeof(T));
        out_.append(tmp, sizeof(T));
    }

    // --- scalar fields ------------------------------------------------------------------
    void uint64(std::uint32_t f, std::uint64_t v) { tag(f, kVarint), raw_varint(v); }
    // int32/int64/enum are sign-extended to 64 bits on the wire (not zigzag).
    void int64(std::uint32_t f, std::int64_t v) { uint64(f, static_cast<std::uint64_t>(v)); }
    void sint64(std::uint32_t f, std::int64_t v) { uint64(f, zigzag64(v)); }
    void boolean(std::uint32_t f, bool v) { uint64(f, v ? 1 : 0); }
    void float32(std::uint32_t f, float v) { tag(f, kFixed32), raw_fixed(v); }
    void float64(std::uint32_t f, double v) { tag(f, kFixed64), raw_fixed(v); }
    void bytes(std::uint32_t f, std::string_view s) {
        tag(f, kLengthDelimited);
        raw_varint(s.size());
        out_.append(s.data(), s.size());
    }
    void string(std::uint32_t f, std::string_view s) { bytes(f, s); }
    // A length-delimited field (nested message or bytes) whose n-byte body the caller
    // writes next: for a long body of known size, instead of Nested's shift at the end.
    void begin_sized(std::uint32_t f, std::size_t n) {
        tag(f, kLengthDelimited);
        raw_varint(n);
    }
    // A bytes field of n bytes that the caller fills in place (no staging copy): returns
    // where they go, valid until the next write.
    char* bytes_in_place(std::uint32_t f, std::size_t n) {
        begin_sized(f, n);
        const std::size_t at = out_.size();
        out_.resize(at + n);
        return out_.data() + at;
    }

    // proto3 "no presence" helpers: omit the field when it holds the default.
    void int64_nonzero(std::uint32_t f, std::int64_t v) {
        if (v != 0) int64(f, v);
    }
    void float64_nonzero(std::uint32_t f, double v) {
        if (v != 0.0) float64(f, v);
    }
    void float32_nonzero(std::uint32_t f, float v) {
        if (v != 0.0f) float32(f, v);
    }
    void string_nonempty(std::uint32_t f, std::string_view s) {
        if (!s.empty()) bytes(f, s);
    }

    // --- packed repeated ----------------------------------------------------------------
    template <class T>
    void packed_fixed(std::uint32_t f, const T* v, std::size_t n) {
        if (n == 0) return;
        tag(f, kLengthDelimited);
        raw_varint(n * sizeof(T));
        out_.append(reinterpret_cast<const char*>(v), n * sizeof(T));
    }
    template <class T, class Conv>
    void packed_varint(std::uint32_t f, const T* v, std::size_t n, Conv conv) {
        if (n == 0) return;
        std::size_t len = 0;
        for (std::size_t i = 0; i < n; ++i) len += varint_size(conv(v[i]));
        tag(f, kLengthDelimited);
        raw_varint(len);
        const std::size_t at = out_.size();
        out_.resize(at + len);
        char* p = out_.data() + at;
        for (std::size_t i = 0; i < n; ++i) p = put_varint(p, conv(v[i]));
    }

    // --- nested messages ----------------------------------------------------------------
    // Returns a mark to hand to end(). The body is written with the ordinary calls between.
    std::size_t begin(std::uint32_t f) {
        tag(f, kLengthDelimited);
        out_.push_back('\0');
        return out_.size();
    }

    void end(std::size_t mark) {
        const std::size_t len = out_.size() - mark;
        const std::size_t lsize = varint_size(len);
        if (lsize > 1) {
            out_.insert(mark, lsize - 1, '\0');  // shift the body right
        }
        put_varint(out_.data() + mark - 1, len);
    }

private:
    std::string& out_;
};

// RAII form of begin()/end() for builders that nest several levels.
class Nested {
public:
    Nested(ProtoWriter& w, std::uint32_t field) : w_(w), mark_(w.begin(field)) {}
    ~Nested() { w_.end(mark_); }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

private:
    ProtoWriter& w_;
    std::size_t mark_;
};

}  // namespace tblog::detail::wire
