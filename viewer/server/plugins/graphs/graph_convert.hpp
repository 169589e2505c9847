// Graphs the graphs plugin builds rather than reads: the op graph of a RunMetadata (its
// function graphs merged, as TensorBoard's graph_util.merge_graph_defs) and the conceptual
// graph of a Keras model config (as TensorBoard's keras_util.keras_model_to_graph_def).
//
// Both answer a GraphDef parsed with the mirror schema of text_format.hpp (map entries in
// insertion order), so that it prints as TensorBoard's str(graph) does.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <google/protobuf/message.h>

namespace tblog::view {

// Function graphs of a serialized RunMetadata (pre_optimization_graph of each), merged:
// one graph is answered as it is; several get "graph_<i>/" node-name prefixes and
// "graph_<i>_" function-name prefixes (PartitionedCall's attr f, library functions and
// gradients), the first graph's versions, and their libraries appended. Null if the bytes do
// not parse; std::runtime_error if the graphs' producer versions differ (TensorBoard's
// ValueError).
std::unique_ptr<google::protobuf::Message> merge_run_metadata_graphs(const std::string& run_metadata_bytes);

// The Keras model config JSON (model.to_json(): Sequential or Functional, nested models,
// Keras 2 and Keras 3 inbound-node layouts) as a GraphDef: one node per layer named
// <model scopes>/<layer>, attr keras_class (class_name) and dtype (when TensorFlow knows the
// name), inputs from inbound nodes or, in a Sequential model, the previous layer.
// std::invalid_argument if the text is not such a JSON object.
std::unique_ptr<google::protobuf::Message> keras_model_to_graph_def(const std::string& model_json);

}  // namespace tblog::view
