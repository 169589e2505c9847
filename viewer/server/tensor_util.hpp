// Reading the values out of a stored TensorProto (what numpy's make_ndarray does for
// TensorBoard's plugins): numbers from the typed lists or tensor_content, strings from
// string_val, and the shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tensor.pb.h"

namespace tblog::view {

struct Tensor {
    // The most elements a one-value tensor is expanded to (16 Mi doubles, 128 MiB): beyond
    // it to_doubles refuses instead of allocating what a hostile shape asks for.
    static constexpr std::size_t kMaxExpandedElements = std::size_t{1} << 24;

    tensorboard::TensorProto proto;
    std::vector<std::int64_t> shape;

    std::size_t num_elements() const;  // saturates at SIZE_MAX
    // Every element as a double, row-major; false if the dtype is not numeric or the data do
    // not match the shape.
    bool to_doubles(std::vector<double>& out) const;
    bool is_string() const { return proto.dtype() == tensorboard::DT_STRING; }
};

// Parses serialized TensorProto bytes; false if they are not a TensorProto.
bool parse_tensor(std::string_view bytes, Tensor& out);

// A DT_STRING TensorProto read in place: its shape and views of its strings into `bytes`
// (nothing copied, so a 200 MB text costs no copy per request). False if `bytes` is not a
// well-formed DT_STRING TensorProto.
struct StringTensorView {
    std::vector<std::int64_t> shape;
    std::vector<std::string_view> strings;
};
bool parse_string_tensor(std::string_view bytes, StringTensorView& out);

// Indices of at most `k` of `n` items, evenly spread, always including the last (what a
// plugin's downsample_to keeps).
std::vector<std::size_t> downsample_indices(std::size_t n, std::size_t k);

}  // namespace tblog::view
