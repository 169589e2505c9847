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
#include <string>
#include <vector>

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
}  // namespace audio_impl

inline std::string audio(std::string_view tag, const TensorView& snd_tensor, double sample_rate = 44100) {
    check_tag(tag);
    std::size_t length = 0;  // the one axis longer than 1, after numpy's squeeze
    int axes = 0;
    for (auto d : snd_tensor.shape())
        if (d != 1) ++axes, length = static_cast<std::size_t>(d);
    if (snd_tensor.empty()) invalid(tag, "add_audio: snd_tensor is empty");
    if (axes != 1)
        invalid(tag, "add_audio: input tensor should be 1 dimensional (after squeeze), got shape " +
                         snd_tensor.shape_string());
    const double rate = std::nearbyint(sample_rate);  // Python's round(): half to even
    if (!(rate >= 1) || rate > 4294967295.0) invalid(tag, "add_audio: sample_rate must be a positive number");
    std::vector<std::int16_t> pcm;
    pcm.reserve(length);
    bool nan = false;
    snd_tensor.visit([&](auto v) {
        if constexpr (std::is_floating_point_v<decltype(v)>) {
            if (std::isnan(v)) {  // checked before the conversion: NaN has no int16 value
                nan = true;
                v = 0;
            }
        }
        pcm.push_back(audio_impl::to_pcm(v));
    });
    if (nan) invalid(tag, "add_audio: snd_tensor contains NaN");
    const std::string wav = detail::encode_wav(pcm, static_cast<std::uint32_t>(rate));
    std::string out;
    {
        ProtoWriter w(out);
        Nested v(w, field::kSummaryValue);
        w.string(field::kValueTag, tag);
        Nested a(w, field::kValueAudio);
        w.float32_nonzero(1, static_cast<float>(sample_rate));
        w.int64(2, 1);  // num_channels
        w.int64_nonzero(3, static_cast<std::int64_t>(length));
        w.string(4, wav);
        w.string(5, "audio/wav");
    }
    return out;
}

}  // namespace tblog::summary
