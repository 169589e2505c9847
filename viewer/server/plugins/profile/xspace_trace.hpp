// XSpace (<host>.xplane.pb, proto/xplane.proto) -> Chrome trace-event JSON, so the Profile
// dashboard reads tblog's, TensorFlow's and JAX's XSpace files with the same code as JSON
// traces. Throws std::runtime_error on bytes that are not an XSpace.
#pragma once

#include <string>
#include <string_view>

namespace tblog::view {

std::string xspace_to_trace_json(std::string_view bytes);

}  // namespace tblog::view
