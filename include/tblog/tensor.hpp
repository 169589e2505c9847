// tblog::TensorView: a non-owning view of a dense, row-major (C-contiguous) array.
//
// Every array-taking add_* accepts one, so the library never copies user data before
// encoding it and never depends on a tensor library. The caller keeps the data alive for
// the duration of the call (add_* encodes synchronously, then forgets the view).
//
//   std::vector<float> v = ...;            tblog::TensorView a(v);              // 1-D
//   const uint8_t* img = ...;              tblog::TensorView b(img, {3, 64, 64});
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace tblog {

enum class DType : std::uint8_t { float32, float64, uint8, int32, int64 };

inline const char* dtype_name(DType t) {
    switch (t) {
        case DType::float32: return "float32";
        case DType::float64: return "float64";
        case DType::uint8: return "uint8";
        case DType::int32: return "int32";
        case DType::int64: return "int64";
    }
    return "?";
}

inline std::size_t dtype_size(DType t) {
    switch (t) {
        case DType::float32: return 4;
        case DType::float64: return 8;
        case DType::uint8: return 1;
        case DType::int32: return 4;
        case DType::int64: return 8;
    }
    return 0;
}

template <class T>
struct dtype_of;  // maps the element types a view accepts to their DType
template <> struct dtype_of<float> { static constexpr DType value = DType::float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::float64; };
template <> struct dtype_of<std::uint8_t> { static constexpr DType value = DType::uint8; };
template <> struct dtype_of<std::int32_t> { static constexpr DType value = DType::int32; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = DType::int64; };

template <class T, class = void>
struct is_view_element : std::false_type {};
template <class T>
struct is_view_element<T, std::void_t<decltype(dtype_of<T>::value)>> : std::true_type {};

// A LibTorch tensor (anything with sizes(), scalar_type() and data_ptr(), as at::Tensor):
// SummaryWriter cannot take one, tblog::TorchSummaryWriter (tblog/torch.hpp) can. The
// detection only serves the compile error below; nothing here includes LibTorch.
template <class T, class = void>
struct looks_like_torch_tensor : std::false_type {};
template <class T>
struct looks_like_torch_tensor<T, std::void_t<decltype(std::declval<const T&>().sizes()),
                                              decltype(std::declval<const T&>().scalar_type()),
                                              decltype(std::declval<const T&>().data_ptr())>> : std::true_type {};
template <class T>
inline constexpr bool dependent_false = false;
#define TBLOG_TORCH_TENSOR_MESSAGE                                                                  \
    "tblog: a torch::Tensor needs tblog::TorchSummaryWriter: #include <tblog/torch.hpp> and use " \
    "tblog::TorchSummaryWriter instead of tblog::SummaryWriter (which takes tblog::TensorView)"

class TensorView {
public:
    using Shape = std::vector<std::int64_t>;

    TensorView() = default;

    // Only to turn "no conversion from at::Tensor" into an error that says what to use.
    template <class T, std::enable_if_t<looks_like_torch_tensor<T>::value, int> = 0>
    TensorView(const T&) {  // NOLINT
        static_assert(dependent_false<T>, TBLOG_TORCH_TENSOR_MESSAGE);
    }

    template <class T, class = std::enable_if_t<is_view_element<T>::value>>
    TensorView(const T* data, std::initializer_list<std::int64_t> shape)
        : TensorView(data, Shape(shape)) {}

    template <class T, class = std::enable_if_t<is_view_element<T>::value>>
    TensorView(const T* data, Shape shape)
        : data_(data), dtype_(dtype_of<T>::value), shape_(std::move(shape)) {
        validate();
    }

    // 1-D view of a vector (the vector must outlive the view).
    template <class T, class = std::enable_if_t<is_view_element<T>::value>>
    TensorView(const std::vector<T>& v)  // NOLINT: implicit on purpose, like a Python list
        : data_(v.data()), dtype_(dtype_of<T>::value),
          shape_{static_cast<std::int64_t>(v.size())} {}

    // Untyped form, for adapters (e.g. torch.hpp) that already know the element type.
    TensorView(const void* data, DType dtype, Shape shape)
        : data_(data), dtype_(dtype), shape_(std::move(shape)) {
        validate();
    }

    const void* data() const { return data_; }
    DType dtype() const { return dtype_; }
    const Shape& shape() const { return shape_; }
    std::size_t dim() const { return shape_.size(); }
    std::int64_t size(std::size_t axis) const { return shape_.at(axis); }

    std::size_t numel() const {
        std::size_t n = 1;
        for (auto d : shape_) n *= static_cast<std::size_t>(d);
        return n;
    }
    bool empty() const { return numel() == 0; }
    bool is_floating() const { return dtype_ == DType::float32 || dtype_ == DType::float64; }

    template <class T>
    const T* data_as() const {
        if (dtype_of<T>::value != dtype_)
            throw std::invalid_argument(std::string("TensorView holds ") + dtype_name(dtype_) +
                                        ", not " + dtype_name(dtype_of<T>::value));
        return static_cast<const T*>(data_);
    }

    // Element i (row-major flat index) converted to double; for code that is generic over
    // the element type and not on a hot path.
    double at(std::size_t i) const {
        switch (dtype_) {
            case DType::float32: return static_cast<const float*>(data_)[i];
            case DType::float64: return static_cast<const double*>(data_)[i];
            case DType::uint8: return static_cast<const std::uint8_t*>(data_)[i];
            case DType::int32: return static_cast<const std::int32_t*>(data_)[i];
            case DType::int64: return static_cast<double>(static_cast<const std::int64_t*>(data_)[i]);
        }
        return 0.0;
    }

    // Calls f(element) for every element in order, with the element's own type.
    template <class F>
    void visit(F&& f) const {
        const std::size_t n = numel();
        switch (dtype_) {
            case DType::float32: for_each_typed<float>(n, f); break;
            case DType::float64: for_each_typed<double>(n, f); break;
            case DType::uint8: for_each_typed<std::uint8_t>(n, f); break;
            case DType::int32: for_each_typed<std::int32_t>(n, f); break;
            case DType::int64: for_each_typed<std::int64_t>(n, f); break;
        }
    }

    // All elements converted to T (copy).
    template <class T>
    std::vector<T> to_vector() const {
        std::vector<T> out;
        out.reserve(numel());
        visit([&](auto v) { out.push_back(static_cast<T>(v)); });
        return out;
    }

    std::string shape_string() const {
        std::string s = "(";
        for (std::size_t i = 0; i < shape_.size(); ++i) {
            if (i) s += ", ";
            s += std::to_string(shape_[i]);
        }
        if (shape_.size() == 1) s += ",";
        return s + ")";
    }

private:
    template <class T, class F>
    void for_each_typed(std::size_t n, F& f) const {
        const T* p = static_cast<const T*>(data_);
        for (std::size_t i = 0; i < n; ++i) f(p[i]);
    }

    // No address space holds more than 2^48 bytes (256 TiB), so a larger shape is a wrong
    // shape; bounding every product of extents here (not only numel: with a zero extent the
    // others still get multiplied) means no builder's index arithmetic can overflow.
    static constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 48;

    void validate() const {
        std::uint64_t product = 1;  // of the non-zero extents
        for (auto d : shape_) {
            if (d < 0) throw std::invalid_argument("TensorView: negative dimension in shape " + shape_string());
            if (d == 0) continue;
            if (static_cast<std::uint64_t>(d) > kMaxBytes / product)
                throw std::invalid_argument("TensorView: shape " + shape_string() + " is larger than any memory");
            product *= static_cast<std::uint64_t>(d);
        }
        if (product > kMaxBytes / dtype_size(dtype_))
            throw std::invalid_argument("TensorView: shape " + shape_string() + " is larger than any memory");
        if (data_ == nullptr && numel() != 0)
            throw std::invalid_argument("TensorView: null data with a non-empty shape");
    }

    const void* data_ = nullptr;
    DType dtype_ = DType::float32;
    Shape shape_{0};
};

}  // namespace tblog
