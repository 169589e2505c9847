// Audio: what PyTorch's summary.audio() writes.
//   Value{tag, audio: Summary.Audio{sample_rate, num_channels: 1, length_frames,
//                                   encoded_audio_string: WAV, content_type: "audio/wav"}}
// Samples: the squeezed array must be 1-D; values are clipped to [-1, 1], multiplied by 32767
// (in float32 for float32 input, in double for float64) and truncated to int16. The WAV's
// frame rate is round(sample_rate) (half to even, as Python's wave module), the proto keeps
// sample_rate as given.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "tblog/detail/codecs/wav.hpp"
#include "tblog/summary/common.hpp"
#include "tblog/tensor.hpp"

namespace tblog::summary {

namespace audio_impl {
template <class T>
std::int16_t to_pcm(T v) {
    if constexpr (std::is_floating_point_v<T>) {
        const T c = v > T(1) ? T(1) : v < T(-1) ? T(-1) : v;
        return static_cast<std::int16_t>(c * T(32767));  // truncation toward zero, as astype
    } else {
        const T c = v > T(1) ? T(1) : v < T(-1) ? T(-1) : v;  // integers: -1, 0 or 1
        return static_cast<std::int16_t>(c * 32767);
    }
}

// Converts src[0..n) to little-endian int16 samples at dst (x86-64 and AArch64 are
// little-endian); returns whether a value was NaN (NaN has no int16 value: it is converted
// as 0 and the caller rejects the clip).
template <class T>
bool to_pcm_scalar(const T* src, std::size_t n, char* dst) {
    bool nan = false;
    for (std::size_t i = 0; i < n; ++i) {
        T v = src[i];
        if constexpr (std::is_floating_point_v<T>) {
            if (v != v) nan = true, v = 0;
        }
        const std::int16_t s = to_pcm(v);
        std::memcpy(dst + 2 * i, &s, 2);
    }
    return nan;
}

#if defined(__SSE2__)
// The same with SSE2, 8 samples per step: the compiler does not vectorize the clip itself
// (under the default -ftrapping-math a comparison may trap, so it keeps the branches, ~6x
// slower). minps/maxps clip exactly as to_pcm does once NaN is zeroed; cvttps truncates;
// packs never saturates (|c * 32767| <= 32767).
inline bool to_pcm_bytes(const float* src, std::size_t n, char* dst) {
    const __m128 hi = _mm_set1_ps(1.0f), lo = _mm_set1_ps(-1.0f), scale = _mm_set1_ps(32767.0f);
    __m128 nan = _mm_setzero_ps();
    auto convert = [&](__m128 v) {
        const __m128 bad = _mm_cmpunord_ps(v, v);
        nan = _mm_or_ps(nan, bad);
        v = _mm_max_ps(_mm_min_ps(_mm_andnot_ps(bad, v), hi), lo);
        return _mm_cvttps_epi32(_mm_mul_ps(v, scale));
    };
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i a = convert(_mm_loadu_ps(src + i)), b = convert(_mm_loadu_ps(src + i + 4));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * i), _mm_packs_epi32(a, b));
    }
    const bool tail = to_pcm_scalar(src + i, n - i, dst + 2 * i);
    return _mm_movemask_ps(nan) != 0 || tail;
}
inline bool to_pcm_bytes(const double* src, std::size_t n, char* dst) {
    const __m128d hi = _mm_set1_pd(1.0), lo = _mm_set1_pd(-1.0), scale = _mm_set1_pd(32767.0);
    __m128d nan = _mm_setzero_pd();
    auto convert = [&](__m128d v) {  // two samples, as int32 in the low half
        const __m128d bad = _mm_cmpunord_pd(v, v);
        nan = _mm_or_pd(nan, bad);
        v = _mm_max_pd(_mm_min_pd(_mm_andnot_pd(bad, v), hi), lo);
        return _mm_cvttpd_epi32(_mm_mul_pd(v, scale));
    };
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i a = _mm_unpacklo_epi64(convert(_mm_loadu_pd(src + i)), convert(_mm_loadu_pd(src + i + 2)));
        const __m128i b = _mm_unpacklo_epi64(convert(_mm_loadu_pd(src + i + 4)), convert(_mm_loadu_pd(src + i + 6)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * i), _mm_packs_epi32(a, b));
    }
    const bool tail = to_pcm_scalar(src + i, n - i, dst + 2 * i);
    return _mm_movemask_pd(nan) != 0 || tail;
}
#endif

template <class T>
bool to_pcm_bytes(const T* src, std::size_t n, char* dst) {
    return to_pcm_scalar(src, n, dst);
}
}  // namespace audio_impl

// add_audio's Summary, checked when constructed and sized before it is written, so that
// SummaryWriter converts the samples straight into the event (append_summary_event_sized):
// no staging copy of the clip, no body shifted after its length is known.
class AudioSummary {
public:
    AudioSummary(std::string_view tag, const TensorView& snd_tensor, double sample_rate)
        : tag_(tag), data_(snd_tensor.data()), dtype_(snd_tensor.dtype()), sample_rate_(sample_rate) {
        check_tag(tag);
        int axes = 0;  // the one axis longer than 1, after numpy's squeeze
        for (auto d : snd_tensor.shape())
            if (d != 1) ++axes, length_ = static_cast<std::size_t>(d);
        if (snd_tensor.empty()) invalid(tag, "add_audio: snd_tensor is empty");
        if (axes != 1)
            invalid(tag, "add_audio: input tensor should be 1 dimensional (after squeeze), got shape " +
                             snd_tensor.shape_string());
        const double rate = std::nearbyint(sample_rate);  // Python's round(): half to even
        if (!(rate >= 1) || rate > 4294967295.0) invalid(tag, "add_audio: sample_rate must be a positive number");
        rate_ = static_cast<std::uint32_t>(rate);
        data_bytes_ = static_cast<std::uint32_t>(length_ * 2);
        using detail::wire::delimited_size;
        using detail::wire::varint_size;
        audio_bytes_ = (static_cast<float>(sample_rate) != 0.0f ? 5 : 0) + 2 + 1 + varint_size(length_) +
                       delimited_size(4, detail::kWavHeaderBytes + data_bytes_) + delimited_size(5, kContentType.size());
        value_bytes_ = delimited_size(field::kValueTag, tag.size()) + delimited_size(field::kValueAudio, audio_bytes_);
    }

    // Bytes of the serialized Summary.
    std::size_t size() const { return detail::wire::delimited_size(field::kSummaryValue, value_bytes_); }

    // Writes the Summary's one Value; throws std::invalid_argument (after writing part of
    // it) if a sample is NaN.
    void write(ProtoWriter& w) const {
        w.begin_sized(field::kSummaryValue, value_bytes_);
        w.string(field::kValueTag, tag_);
        w.begin_sized(field::kValueAudio, audio_bytes_);
        w.float32_nonzero(1, static_cast<float>(sample_rate_));
        w.int64(2, 1);  // num_channels
        w.int64(3, static_cast<std::int64_t>(length_));
        char* wav = w.bytes_in_place(4, detail::kWavHeaderBytes + data_bytes_);
        detail::put_wav_header(wav, data_bytes_, rate_);
        char* pcm = wav + detail::kWavHeaderBytes;
        bool nan = false;
        switch (dtype_) {
            case DType::float32: nan = audio_impl::to_pcm_bytes(static_cast<const float*>(data_), length_, pcm); break;
            case DType::float64: nan = audio_impl::to_pcm_bytes(static_cast<const double*>(data_), length_, pcm); break;
            case DType::uint8: audio_impl::to_pcm_bytes(static_cast<const std::uint8_t*>(data_), length_, pcm); break;
            case DType::int32: audio_impl::to_pcm_bytes(static_cast<const std::int32_t*>(data_), length_, pcm); break;
            case DType::int64: audio_impl::to_pcm_bytes(static_cast<const std::int64_t*>(data_), length_, pcm); break;
        }
        if (nan) invalid(tag_, "add_audio: snd_tensor contains NaN");
        w.string(5, kContentType);
    }

private:
    static constexpr std::string_view kContentType = "audio/wav";
    // the caller's tag and samples (not copied: an AudioSummary lives inside one add_audio call)
    std::string_view tag_;
    const void* data_;
    DType dtype_;
    double sample_rate_;
    std::size_t length_ = 0;
    std::uint32_t rate_ = 0, data_bytes_ = 0;
    std::size_t audio_bytes_ = 0, value_bytes_ = 0;
};

inline std::string audio(std::string_view tag, const TensorView& snd_tensor, double sample_rate = 44100) {
    const AudioSummary a(tag, snd_tensor, sample_rate);
    std::string out;
    out.reserve(a.size());
    ProtoWriter w(out);
    a.write(w);
    return out;
}

}  // namespace tblog::summary
