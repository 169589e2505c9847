// Graphs: the GraphDef and RunMetadata that PyTorch's add_graph writes, built from a plain
// node list so that any front end (a hand-written model description, a TorchScript trace)
// can produce it. The writer puts them into their two Events (detail/wire/event.hpp):
//
//   Event{graph_def: GraphDef{node: NodeDef{name, op, input, device, attr}..., versions{producer: 22}}}
//   Event{tagged_run_metadata{tag: "step1",
//         run_metadata: RunMetadata{step_stats{dev_stats{device: "/device:CPU:0"}}}}}
//
// TensorBoard groups nodes into collapsible scopes by the '/'-separated parts of their names
// (PyTorch: "Sequential/Linear[0]/weight/weight.1") and labels edges with the source node's
// attr["_output_shapes"]. PyTorch gives every node attr["attr"] (a string such as "{}" or
// "{ name :  weight }") and, when the output is a tensor of known size, "_output_shapes".
#pragma once

#include <set>
#include <utility>
#include <variant>

#include "tblog/summary/common.hpp"

namespace tblog {

// AttrValue.shape: a TensorShapeProto (-1 = unknown size).
struct AttrShape {
    std::vector<std::int64_t> dims;
};
// AttrValue.list: every member that is non-empty is written.
struct AttrList {
    std::vector<std::string> s;
    std::vector<std::int64_t> i;
    std::vector<float> f;
    std::vector<bool> b;
    std::vector<std::vector<std::int64_t>> shape;
};
// AttrValue: s (bytes), i, f (written as float32), b, shape or list.
using AttrValue = std::variant<std::string, std::int64_t, double, bool, AttrShape, AttrList>;

struct GraphNode {
    std::string name;                                           // unique; '/' separates scopes
    std::string op = {};                                        // e.g. "aten::linear", "IO Node"
    std::vector<std::string> inputs = {};                       // names of the nodes feeding it
    std::vector<std::vector<std::int64_t>> output_shapes = {};  // -> attr "_output_shapes"
    std::vector<std::pair<std::string, AttrValue>> attrs = {};  // written first, in this order
    std::string device = {};                                    // NodeDef.device, usually empty
};

}  // namespace tblog

namespace tblog::summary {

inline constexpr int kGraphProducerVersion = 22;  // what PyTorch's add_graph writes
inline constexpr std::string_view kGraphRunMetadataTag = "step1";
inline constexpr std::string_view kGraphDevice = "/device:CPU:0";
inline constexpr std::string_view kOutputShapesAttr = "_output_shapes";

namespace field {
inline constexpr std::uint32_t kGraphNode = 1;
inline constexpr std::uint32_t kGraphVersions = 4;
inline constexpr std::uint32_t kVersionProducer = 1;
inline constexpr std::uint32_t kNodeName = 1;
inline constexpr std::uint32_t kNodeOp = 2;
inline constexpr std::uint32_t kNodeInput = 3;
inline constexpr std::uint32_t kNodeDevice = 4;
inline constexpr std::uint32_t kNodeAttr = 5;
inline constexpr std::uint32_t kAttrList = 1;
inline constexpr std::uint32_t kAttrS = 2;
inline constexpr std::uint32_t kAttrI = 3;
inline constexpr std::uint32_t kAttrF = 4;
inline constexpr std::uint32_t kAttrB = 5;
inline constexpr std::uint32_t kAttrShape = 7;
inline constexpr std::uint32_t kRunMetaStepStats = 1;
inline constexpr std::uint32_t kStepStatsDevStats = 1;
inline constexpr std::uint32_t kDevStatsDevice = 1;
}  // namespace field

namespace detail_graph {

[[noreturn]] inline void fail(const std::string& node, const std::string& problem) {
    throw std::invalid_argument("tblog: add_graph: node '" + node + "': " + problem);
}

inline void write_tensor_shape(ProtoWriter& w, const std::vector<std::int64_t>& dims, std::uint32_t f) {
    Nested s(w, f);
    for (auto d : dims) {
        Nested dim(w, field::kShapeDim);
        w.int64_nonzero(field::kDimSize, d);
    }
}

struct AttrWriter {
    ProtoWriter& w;
    void operator()(const std::string& s) const { w.bytes(field::kAttrS, s); }
    void operator()(std::int64_t i) const { w.int64(field::kAttrI, i); }
    void operator()(double f) const { w.float32(field::kAttrF, static_cast<float>(f)); }
    void operator()(bool b) const { w.boolean(field::kAttrB, b); }
    void operator()(const AttrShape& s) const { write_tensor_shape(w, s.dims, field::kAttrShape); }
    void operator()(const AttrList& l) const {
        Nested list(w, field::kAttrList);
        for (const auto& s : l.s) w.bytes(field::kAttrS, s);
        w.packed_varint(field::kAttrI, l.i.data(), l.i.size(), [](std::int64_t v) { return static_cast<std::uint64_t>(v); });
        w.packed_fixed(field::kAttrF, l.f.data(), l.f.size());
        if (!l.b.empty()) {
            std::vector<std::uint8_t> b(l.b.begin(), l.b.end());
            w.packed_varint(field::kAttrB, b.data(), b.size(), [](std::uint8_t v) { return std::uint64_t{v}; });
        }
        for (const auto& s : l.shape) write_tensor_shape(w, s, field::kAttrShape);
    }
};

inline void write_attr(ProtoWriter& w, std::string_view key, const AttrValue& v) {
    Nested entry(w, field::kNodeAttr);
    w.string(1, key);  // map entry: key = 1, value = 2
    Nested value(w, 2);
    std::visit(AttrWriter{w}, v);
}

inline void validate(const std::vector<GraphNode>& nodes) {
    if (nodes.empty()) throw std::invalid_argument("tblog: add_graph: the node list is empty");
    std::set<std::string_view> names;
    for (const auto& n : nodes) {
        if (n.name.empty()) fail(n.name, "empty name");
        if (!names.insert(n.name).second) fail(n.name, "the name is used twice");
        if (n.op.empty()) fail(n.name, "empty op");
        std::set<std::string_view> keys;
        for (const auto& [k, v] : n.attrs) {
            if (k.empty()) fail(n.name, "empty attr name");
            if (!keys.insert(k).second) fail(n.name, "attr '" + k + "' is given twice");
            if (k == kOutputShapesAttr && !n.output_shapes.empty())
                fail(n.name, "attr '_output_shapes' is given twice (attrs and output_shapes)");
        }
        for (const auto& in : n.inputs)
            if (in.empty()) fail(n.name, "empty input name");
    }
}

}  // namespace detail_graph

// Serialized GraphDef. Inputs may name nodes that are not in the list (PyTorch's traces
// refer to module objects they do not emit); TensorBoard draws what it can.
inline std::string graph_def(const std::vector<GraphNode>& nodes, int producer = kGraphProducerVersion) {
    detail_graph::validate(nodes);
    std::string out;
    ProtoWriter w(out);
    for (const auto& n : nodes) {
        Nested node(w, field::kGraphNode);
        w.string(field::kNodeName, n.name);
        w.string(field::kNodeOp, n.op);
        for (const auto& in : n.inputs) w.string(field::kNodeInput, in);
        w.string_nonempty(field::kNodeDevice, n.device);
        for (const auto& [k, v] : n.attrs) detail_graph::write_attr(w, k, v);
        if (!n.output_shapes.empty()) {
            AttrList shapes;
            shapes.shape = n.output_shapes;
            detail_graph::write_attr(w, kOutputShapesAttr, shapes);
        }
    }
    {
        Nested versions(w, field::kGraphVersions);
        w.int64_nonzero(field::kVersionProducer, producer);
    }
    return out;
}

// RunMetadata{step_stats{dev_stats{device: "/device:CPU:0"}}}, what PyTorch pairs with it.
inline std::string cpu_run_metadata() {
    std::string out;
    ProtoWriter w(out);
    {
        Nested stats(w, field::kRunMetaStepStats);
        Nested dev(w, field::kStepStatsDevStats);
        w.string(field::kDevStatsDevice, kGraphDevice);
    }
    return out;
}

}  // namespace tblog::summary
