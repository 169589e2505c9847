// TorchScript module -> the node list PyTorch 1.13's add_graph writes (for tblog::GraphNode,
// summary/graph.hpp). Included only by tblog/torch.hpp.
//
// PyTorch traces the module, inlines the trace and names nodes from the tracer's module
// scopes (torch/utils/tensorboard/_pytorch_graph.py). C++ cannot trace a Python-defined
// module, so this works from the module's own TorchScript graph instead and rebuilds the
// same information:
//   - the graph of forward() is inlined; each op's module scope comes from its inlined call
//     stack (the instance names of the submodule calls it came through: "__module.0" for
//     self[0]), where PyTorch's tracer recorded the same names;
//   - prim::GetAttr nodes are scoped by their attribute chain, exactly as PyTorch does
//     ("__module.0/__module.0.weight");
//   - scopes are then renamed with the module classes ("Sequential/Linear[0]/weight");
//   - output shapes come from running the graph once on the example inputs with every
//     intermediate tensor kept (PyTorch reads them from the trace's types); prim::GetAttr
//     outputs get none, as in a trace, where parameters are untyped.
// The rest (input/output "IO Node"s, names "<scope>/<debug name>", the "attr" strings,
// which node's scope a value that no node lists takes) follows PyTorch's rules. Debug names
// (weight.1, input.3, ...) come from TorchScript, so their numbering can differ from a trace.
#pragma once

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include "tblog/summary/graph.hpp"

namespace tblog::detail::torch_graph {

using Shape = std::vector<std::int64_t>;
using torch::jit::Node;
using torch::jit::Value;

inline bool is_tensor(const Value* v) { return v->type()->isSubtypeOf(*c10::TensorType::get()); }

// Runs a copy of `graph` on the inputs with every top-level tensor value as an extra output;
// returns the shape of each, keyed by the value of `graph` (the copy numbers values anew, so
// the two graphs are walked side by side).
inline std::unordered_map<const Value*, Shape> probe_shapes(torch::jit::Module& model, torch::jit::Graph& graph,
                                                            const std::vector<torch::jit::IValue>& inputs) {
    auto g = graph.copy();
    std::vector<Value*> keep;
    std::vector<const Value*> original;
    const auto visit = [&](Value* copy, const Value* orig) {
        if (is_tensor(copy)) {
            keep.push_back(copy);
            original.push_back(orig);
        }
    };
    for (std::size_t i = 0; i < g->inputs().size(); ++i) visit(g->inputs()[i], graph.inputs()[i]);
    auto on = graph.nodes().begin();
    for (Node* n : g->nodes()) {
        const Node* o = *on;
        ++on;
        for (std::size_t i = 0; i < n->outputs().size(); ++i) visit(n->outputs()[i], o->outputs()[i]);
    }
    while (!g->outputs().empty()) g->eraseOutput(0);
    g->registerOutput(g->insertNode(g->createTuple(keep))->output());

    torch::jit::Stack stack;
    stack.emplace_back(model._ivalue());
    for (const auto& in : inputs) stack.push_back(in);
    {
        const bool was_training = model.is_training();
        model.eval();  // as PyTorch's add_graph: traced in eval mode
        struct Restore {
            torch::jit::Module& m;
            bool training;
            ~Restore() { m.train(training); }
        } restore{model, was_training};
        torch::NoGradGuard no_grad;
        torch::jit::GraphFunction fn("tblog_graph_probe", g, nullptr);
        fn.run(stack);
    }
    std::unordered_map<const Value*, Shape> shapes;
    const auto values = stack.back().toTupleRef().elements();
    for (std::size_t i = 0; i < keep.size() && i < values.size(); ++i)
        if (values[i].isTensor()) {
            const auto s = values[i].toTensor().sizes();
            shapes[original[i]] = Shape(s.begin(), s.end());
        }
    return shapes;
}

// ---- Python reprs, for the "attr" string: str({name: value, ...}).replace("'", " ") ----

inline std::string py_float(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[32];
    for (int prec = 1; prec <= 17; ++prec) {  // Python's repr: the shortest exact form
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    std::string s = buf;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

inline std::string py_str(const std::string& s) {
    const char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
    std::string o(1, q);
    for (char c : s) {
        if (c == '\\' || c == q) o += '\\';
        if (c == '\n') o += "\\n";
        else if (c == '\t') o += "\\t";
        else o += c;
    }
    return o + q;
}

template <class T, class F>
std::string py_list(const std::vector<T>& v, F&& repr) {
    std::string o = "[";
    for (std::size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + repr(v[i]);
    return o + "]";
}

inline std::string py_ivalue(const c10::IValue& v) {
    if (v.isNone()) return "None";
    if (v.isBool()) return v.toBool() ? "True" : "False";
    if (v.isInt()) return std::to_string(v.toInt());
    if (v.isDouble()) return py_float(v.toDouble());
    if (v.isString()) return py_str(v.toStringRef());
    if (v.isList()) {
        std::vector<c10::IValue> items(v.toListRef().begin(), v.toListRef().end());
        return py_list(items, py_ivalue);
    }
    if (v.isTensor()) return "tensor(" + c10::str(v.toTensor().sizes()) + ")";  // not PyTorch's repr
    std::ostringstream os;
    os << v;
    return os.str();
}

inline std::string attr_repr(const Node* n, c10::Symbol name) {
    using K = torch::jit::AttributeKind;
    switch (n->kindOf(name)) {
        case K::i: return std::to_string(n->i(name));
        case K::f: return py_float(n->f(name));
        case K::s: return py_str(n->s(name));
        case K::is: return py_list(n->is(name), [](std::int64_t x) { return std::to_string(x); });
        case K::fs: return py_list(n->fs(name), py_float);
        case K::ss: return py_list(n->ss(name), py_str);
        case K::t: return "tensor(" + c10::str(n->t(name).sizes()) + ")";  // not PyTorch's repr
        case K::ival: return py_ivalue(n->ival(name));
        case K::ty: return n->ty(name)->repr_str();
        default: return std::string("<") + torch::jit::toString(n->kindOf(name)) + ">";
    }
}

// What PyTorch writes as attr "attr": the node's attributes as a Python dict, quotes blanked.
inline std::string attributes(const Node* n) {
    std::string o = "{";
    bool first = true;
    for (const auto& name : n->attributeNames()) {
        o += (first ? "'" : ", '") + std::string(name.toUnqualString()) + "': " + attr_repr(n, name);
        first = false;
    }
    o += "}";
    for (auto& c : o)
        if (c == '\'') c = ' ';
    return o;
}

// ---- scopes -----------------------------------------------------------------------------

// "__module.a/__module.a.b" for an op inlined from self.a.b.forward (empty at top level).
inline std::string callstack_scope(const Node* n) {
    std::string scope, qualified = "__module";
    auto cs = n->callstack();
    while (cs) {
        const auto& entry = *cs;
        if (auto info = entry->module_instance()) {
            qualified += "." + info->instance_name();
            scope += (scope.empty() ? "" : "/") + qualified;
        }
        cs = entry->callee();
    }
    return scope;
}

inline std::string class_name(const torch::jit::Module& m) {
    const auto& qn = m.type()->name();
    return qn ? qn->name() : "Module";
}

inline std::string last_part(const std::string& s, char sep) {
    const auto p = s.rfind(sep);
    return p == std::string::npos ? s : s.substr(p + 1);
}

inline std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out(1);
    for (char c : s) {
        if (c == sep) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

// ---- the node list ------------------------------------------------------------------------

struct OpNode {
    std::string kind, scope, attributes;
    std::vector<std::string> inputs, outputs;
    std::vector<std::optional<Shape>> output_shapes;
};

// One entry of PyTorch's nodes_io (an OrderedDict: re-assigning a key keeps its place).
struct IoNode {
    std::string name, kind, attributes, io;  // io: "input" / "output" for IO nodes, "" otherwise
    std::vector<std::string> inputs;
    std::optional<std::string> scope;
    std::optional<Shape> shape;
};

class OrderedNodes {
public:
    void put(const std::string& key, IoNode n) {
        auto it = index_.find(key);
        if (it != index_.end()) {
            nodes_[it->second].second = std::move(n);
        } else {
            index_.emplace(key, nodes_.size());
            nodes_.emplace_back(key, std::move(n));
        }
    }
    std::vector<std::pair<std::string, IoNode>>& items() { return nodes_; }

private:
    std::vector<std::pair<std::string, IoNode>> nodes_;
    std::unordered_map<std::string, std::size_t> index_;
};

inline std::vector<GraphNode> graph_nodes(torch::jit::Module& model, const std::vector<torch::jit::IValue>& inputs) {
    auto graph = model.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    if (graph->inputs().size() != inputs.size() + 1)
        throw std::invalid_argument("tblog: add_graph: forward() takes " + std::to_string(graph->inputs().size() - 1) +
                                    " inputs, " + std::to_string(inputs.size()) + " given");
    const auto shapes = probe_shapes(model, *graph, inputs);
    const auto shape_of = [&](const Value* v) -> std::optional<Shape> {
        auto it = shapes.find(v);
        if (it == shapes.end()) return std::nullopt;
        return it->second;
    };

    OrderedNodes io;
    for (const Value* v : graph->inputs()) {
        if (v->uses().empty() || v->type()->kind() == c10::TypeKind::ClassType) continue;
        io.put(v->debugName(), IoNode{v->debugName(), "IO Node", "", "input", {}, std::nullopt,
                                      shape_of(v).value_or(Shape{1})});
    }

    std::vector<OpNode> ops;
    std::unordered_map<std::string, std::string> attr_to_scope;
    for (const Node* n : graph->nodes()) {
        OpNode op{n->kind().toQualString(), callstack_scope(n), attributes(n), {}, {}, {}};
        for (const Value* in : n->inputs()) op.inputs.push_back(in->debugName());
        const bool getattr = n->kind() == c10::prim::GetAttr;
        for (const Value* out : n->outputs()) {
            op.outputs.push_back(out->debugName());
            op.output_shapes.push_back(getattr ? std::nullopt : shape_of(out));
        }
        if (getattr) {
            const std::string key = n->output()->debugName(), name = n->s(c10::attr::name);
            const Node* parent = n->input()->node();
            if (parent->kind() == c10::prim::GetAttr) {
                const std::string parent_scope = attr_to_scope.at(parent->output()->debugName());
                attr_to_scope[key] = parent_scope + "/" + last_part(parent_scope, '/') + "." + name;
            } else {
                attr_to_scope[key] = "__module." + name;
            }
            if (n->output()->type()->kind() == c10::TypeKind::ClassType) continue;  // modules: scopes only
            op.scope = attr_to_scope[key];
        }
        ops.push_back(std::move(op));
    }

    for (std::size_t i = 0; i < graph->outputs().size(); ++i) {
        const Value* v = graph->outputs()[i];
        const std::string name = "output." + std::to_string(i + 1);
        io.put(name, IoNode{name, "IO Node", "", "output", {v->debugName()}, std::nullopt,
                            shape_of(v).value_or(Shape{1})});
    }

    // Scopes "__module.0" -> "Linear[0]", under the top module's class name.
    std::unordered_map<std::string, std::string> alias_to_name;
    for (const auto& m : model.named_modules()) {
        const std::string alias = m.name.empty() ? "__module" : "__module." + m.name;
        alias_to_name[alias] = class_name(m.value) + "[" + last_part(alias, '.') + "]";
    }
    const std::string base = class_name(model);
    for (auto& op : ops) {
        std::string joined;
        bool any = false;
        const auto parts = split(op.scope, '/');
        for (std::size_t i = 0; i < parts.size(); ++i) {
            auto it = alias_to_name.find(parts[i]);
            const std::string r = it != alias_to_name.end() ? it->second : last_part(parts[i], '.');
            any = any || !r.empty();
            joined += (i ? "/" : "") + r;
        }
        op.scope = any ? base + "/" + joined : base;
    }

    // PyTorch's populate_namespace_from_OP_to_IO: every op output becomes a node named
    // "<scope>/<debug name>"; a value no node produces (a module GetAttr) takes the scope of
    // the last op that uses it.
    for (const auto& op : ops)
        for (std::size_t k = 0; k < op.outputs.size(); ++k)
            io.put(op.outputs[k], IoNode{op.outputs[k], op.kind, op.attributes, "", op.inputs, op.scope,
                                         op.output_shapes[k]});
    std::unordered_map<std::string, std::string> scoped;
    for (const auto& op : ops)
        for (const auto& in : op.inputs) scoped[in] = op.scope + "/" + in;
    for (const auto& [key, n] : io.items()) {
        if (n.scope) scoped[key] = *n.scope + "/" + n.name;
        if (!n.io.empty()) scoped[key] = n.io + "/" + n.name;
    }

    std::vector<GraphNode> out;
    for (auto& [key, n] : io.items()) {
        GraphNode g;
        auto it = scoped.find(n.name);
        g.name = it != scoped.end() ? it->second : n.name;
        g.op = n.kind;
        for (const auto& in : n.inputs) g.inputs.push_back(scoped.at(in));
        if (n.shape) g.output_shapes.push_back(*n.shape);
        g.attrs.emplace_back("attr", n.attributes);
        out.push_back(std::move(g));
    }
    return out;
}

// One line per node, for add_graph(..., verbose=true).
inline std::string describe(const std::vector<GraphNode>& nodes) {
    std::string o;
    for (const auto& n : nodes) {
        o += n.name + " = " + n.op + "(";
        for (std::size_t i = 0; i < n.inputs.size(); ++i) o += (i ? ", " : "") + n.inputs[i];
        o += ")";
        for (const auto& s : n.output_shapes) o += " " + c10::str(c10::IntArrayRef(s));
        o += "\n";
    }
    return o;
}

}  // namespace tblog::detail::torch_graph
