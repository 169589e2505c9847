#include "graph_convert.hpp"

#include <map>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph.pb.h"
#include "run_metadata.pb.h"
#include "text_format.hpp"

namespace tblog::view {

namespace {

namespace gp = google::protobuf;
using json = nlohmann::json;

// Reflection shorthands on mirrored messages (maps are repeated {key, value} entries).
const gp::FieldDescriptor* field(const gp::Message& m, const char* name) {
    return m.GetDescriptor()->FindFieldByName(name);
}
gp::Message* mutable_msg(gp::Message& m, const char* name) {
    return m.GetReflection()->MutableMessage(&m, field(m, name));
}
const gp::Message& get_msg(const gp::Message& m, const char* name) {
    return m.GetReflection()->GetMessage(m, field(m, name));
}
std::string get_str(const gp::Message& m, const char* name) { return m.GetReflection()->GetString(m, field(m, name)); }
void set_str(gp::Message& m, const char* name, const std::string& v) { m.GetReflection()->SetString(&m, field(m, name), v); }
int count(const gp::Message& m, const char* name) { return m.GetReflection()->FieldSize(m, field(m, name)); }
gp::Message* mutable_at(gp::Message& m, const char* name, int i) {
    return m.GetReflection()->MutableRepeatedMessage(&m, field(m, name), i);
}
gp::Message* add(gp::Message& m, const char* name) { return m.GetReflection()->AddMessage(&m, field(m, name)); }

// The value of map entry `key` of map field `name`, appended when absent (Python's
// message_map[key], which inserts).
gp::Message* map_value(gp::Message& m, const char* name, const std::string& key) {
    for (int i = 0, n = count(m, name); i < n; ++i) {
        gp::Message* e = mutable_at(m, name, i);
        if (get_str(*e, "key") == key) return mutable_msg(*e, "value");
    }
    gp::Message* e = add(m, name);
    set_str(*e, "key", key);
    return mutable_msg(*e, "value");
}

std::unique_ptr<gp::Message> empty_graph() { return parse_mirrored(tensorboard::GraphDef::descriptor(), ""); }

// graph_util._add_with_prepended_names: node names and inputs get "<prefix>/" (every input,
// control inputs "^x" included, as TensorBoard does), PartitionedCall's function and the
// library's functions and gradients "<prefix>_".
void add_with_prepended_names(const std::string& prefix, gp::Message& src, gp::Message& dst) {
    for (int i = 0, n = count(src, "node"); i < n; ++i) {
        gp::Message* node = add(dst, "node");
        node->CopyFrom(*mutable_at(src, "node", i));
        set_str(*node, "name", prefix + "/" + get_str(*node, "name"));
        const gp::Reflection* r = node->GetReflection();
        const auto* input_f = field(*node, "input");
        for (int k = 0, ni = r->FieldSize(*node, input_f); k < ni; ++k)
            r->SetRepeatedString(node, input_f, k, prefix + "/" + r->GetRepeatedString(*node, input_f, k));
        if (get_str(*node, "op") == "PartitionedCall") {
            gp::Message* func = mutable_msg(*map_value(*node, "attr", "f"), "func");
            set_str(*func, "name", prefix + "_" + get_str(*func, "name"));
        }
    }
    gp::Message& src_lib = *mutable_msg(src, "library");
    gp::Message& dst_lib = *mutable_msg(dst, "library");
    for (int i = 0, n = count(src_lib, "function"); i < n; ++i) {
        gp::Message* f = add(dst_lib, "function");
        f->CopyFrom(*mutable_at(src_lib, "function", i));
        gp::Message* sig = mutable_msg(*f, "signature");
        set_str(*sig, "name", prefix + "_" + get_str(*sig, "name"));
    }
    for (int i = 0, n = count(src_lib, "gradient"); i < n; ++i) {
        gp::Message* g = add(dst_lib, "gradient");
        g->CopyFrom(*mutable_at(src_lib, "gradient", i));
        set_str(*g, "function_name", prefix + "_" + get_str(*g, "function_name"));
        set_str(*g, "gradient_func", prefix + "_" + get_str(*g, "gradient_func"));
    }
    // Python's `destination.library.function.add()` marks library present even when empty;
    // an empty sub-message prints nothing either way, so nothing to undo here.
}

std::int32_t producer(const gp::Message& graph) {
    const gp::Message& v = get_msg(graph, "versions");
    return v.GetReflection()->GetInt32(v, field(v, "producer"));
}

}  // namespace

std::unique_ptr<gp::Message> merge_run_metadata_graphs(const std::string& bytes) {
    // Mirrored all the way down: a generated RunMetadata would re-serialize NodeDef.attr in
    // hash order, and TensorBoard prints attributes in the order they were written.
    auto rm = parse_mirrored(tensorboard::RunMetadata::descriptor(), bytes);
    if (!rm) return nullptr;
    std::vector<std::unique_ptr<gp::Message>> graphs;
    for (int i = 0, n = count(*rm, "function_graphs"); i < n; ++i) {
        auto g = empty_graph();
        g->CopyFrom(get_msg(*mutable_at(*rm, "function_graphs", i), "pre_optimization_graph"));
        graphs.push_back(std::move(g));
    }
    if (graphs.size() == 1) return std::move(graphs.front());
    auto dst = empty_graph();
    if (graphs.empty()) return dst;
    if (producer(*graphs.front())) mutable_msg(*dst, "versions")->CopyFrom(get_msg(*graphs.front(), "versions"));
    for (std::size_t i = 0; i < graphs.size(); ++i) {
        if (producer(*dst) != producer(*graphs[i])) throw std::runtime_error("Cannot combine GraphDefs of different versions.");
        add_with_prepended_names("graph_" + std::to_string(i + 1), *graphs[i], *dst);
    }
    // A library with no function or gradient is unset in Python (add() was never called).
    gp::Message* lib = mutable_msg(*dst, "library");
    if (lib->ByteSizeLong() == 0) dst->GetReflection()->ClearField(dst.get(), field(*dst, "library"));
    return dst;
}

// ---- Keras -------------------------------------------------------------------------------

namespace {

std::string scoped(const std::string& scope, const std::string& name) { return scope.empty() ? name : scope + "/" + name; }

// A JSON value as Python's "%s" prints the strings and names keras_util formats.
std::string str_of(const json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_null()) return "None";
    return j.dump();
}

const json& config_of(const json& layer) {
    if (!layer.is_object()) throw std::invalid_argument("a Keras layer is not a JSON object");
    auto it = layer.find("config");
    if (it == layer.end() || !it->is_object()) throw std::invalid_argument("a Keras layer has no config object");
    return *it;
}

const json* get(const json& obj, const char* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

bool truthy(const json* j) {
    if (!j) return false;
    if (j->is_array() || j->is_object() || j->is_string()) return !j->empty();
    if (j->is_boolean()) return j->get<bool>();
    if (j->is_number()) return j->get<double>() != 0;
    return false;
}

// _walk_layers: (name scope, layer) in preorder; a model's layers sit under its name.
void walk_layers(const json& layer, const std::string& scope, std::vector<std::pair<std::string, const json*>>& out) {
    out.emplace_back(scope, &layer);
    const json* layers = get(config_of(layer), "layers");
    if (!truthy(layers) || !layers->is_array()) return;
    const std::string name = str_of(config_of(layer).value("name", json()));
    const std::string inner = scope.empty() ? name : scope + "/" + name;
    for (const auto& sub : *layers) walk_layers(sub, inner, out);
}

// _norm_to_list_of_layers: ["x", 0, 0] or [["x", 0, 0], ...] -> a list of entries.
std::vector<json> norm_to_list(const json& maybe) {
    if (!maybe.is_array() || maybe.empty()) return {};
    if (maybe[0].is_array()) return std::vector<json>(maybe.begin(), maybe.end());
    return {maybe};
}

// An entry [name, node_index, tensor_index, ...] -> (name, tensor_index).
struct Inbound {
    std::string name;
    long long index;
};
std::optional<Inbound> inbound_of(const json& history) {
    if (!history.is_array() || history.size() < 3 || !history[2].is_number_integer()) return std::nullopt;
    return Inbound{str_of(history[0]), history[2].get<long long>()};
}

// _get_inbound_nodes. Keras 3 writes each inbound node as {"args": [tensor or [tensors]]},
// a tensor's config.keras_history being [layer, node_index, tensor_index]; Keras 2 (tf.keras)
// writes [[layer, node_index, tensor_index, kwargs], ...]. TensorBoard 2.21 skips the Keras 2
// form (its comment says so); reading it as TensorBoard 2.16 did keeps those edges.
std::vector<Inbound> inbound_nodes(const json& layer) {
    std::vector<Inbound> out;
    const json* nodes = get(layer, "inbound_nodes");
    if (!nodes || !nodes->is_array()) return out;
    for (const auto& node : *nodes) {
        if (node.is_object()) {
            const json* args = get(node, "args");
            if (!args || !args->is_array()) continue;
            for (const auto& arg : *args) {
                const json list = arg.is_array() ? arg : json::array({arg});
                for (const auto& a : list) {
                    const json* cfg = get(a, "config");
                    const json* hist = cfg ? get(*cfg, "keras_history") : nullptr;
                    if (hist)
                        if (auto in = inbound_of(*hist)) out.push_back(*in);
                }
            }
        } else if (node.is_array()) {
            for (const auto& entry : norm_to_list(node))
                if (auto in = inbound_of(entry)) out.push_back(*in);
        }
    }
    return out;
}

std::string first_name(const json& entry) { return entry.is_array() && !entry.empty() ? str_of(entry[0]) : str_of(entry); }

struct KerasState {
    std::map<std::string, std::string> input_to_layer;               // nested model input -> feeding node
    std::map<std::string, std::vector<std::string>> model_to_output;  // model node name -> its output nodes
    std::optional<std::string> prev;                                  // previous node (Sequential order)
};

// _update_dicts for a layer that is itself a model.
void update_dicts(const std::string& scope, const json& model, KerasState& st) {
    const json& cfg = config_of(model);
    const json* layers = get(cfg, "layers");
    if (!truthy(layers) || !layers->is_array()) throw std::invalid_argument("layer is not a model.");
    const std::string node_name = scoped(scope, str_of(cfg.value("name", json())));
    const json* input_layers = get(cfg, "input_layers");
    const json* output_layers = get(cfg, "output_layers");
    const std::vector<Inbound> inbound = inbound_nodes(model);
    const bool functional = truthy(input_layers) && truthy(output_layers);
    const bool parent_functional = !inbound.empty();
    if (parent_functional && functional) {
        const auto inputs = norm_to_list(*input_layers);
        for (std::size_t i = 0; i < inputs.size() && i < inbound.size(); ++i)
            st.input_to_layer[scoped(node_name, first_name(inputs[i]))] = scoped(scope, inbound[i].name);
    } else if (parent_functional) {
        st.prev = scoped(scope, inbound[0].name);  // a Sequential model takes one input
    } else if (st.prev && functional) {
        const auto inputs = norm_to_list(*input_layers);
        if (inputs.size() != 1)
            throw std::invalid_argument("Cannot have multi-input Functional model when parent model is not Functional");
        st.input_to_layer[scoped(node_name, first_name(inputs[0]))] = *st.prev;
    }
    std::vector<std::string> outputs;
    if (functional) {
        for (const auto& l : norm_to_list(*output_layers)) outputs.push_back(scoped(node_name, first_name(l)));
    } else {
        outputs.push_back(scoped(node_name, str_of(config_of(layers->back()).value("name", json()))));
    }
    st.model_to_output[node_name] = outputs;
}

// tensorflow.python.framework.dtypes.as_dtype for the names Keras writes; nullopt if unknown.
std::optional<int> tf_dtype(const std::string& name) {
    static const std::map<std::string, tensorboard::DataType> names = {
        {"float16", tensorboard::DT_HALF},       {"half", tensorboard::DT_HALF},
        {"float32", tensorboard::DT_FLOAT},      {"float", tensorboard::DT_FLOAT},
        {"float64", tensorboard::DT_DOUBLE},     {"double", tensorboard::DT_DOUBLE},
        {"bfloat16", tensorboard::DT_BFLOAT16},  {"int8", tensorboard::DT_INT8},
        {"int16", tensorboard::DT_INT16},        {"int32", tensorboard::DT_INT32},
        {"int64", tensorboard::DT_INT64},        {"uint8", tensorboard::DT_UINT8},
        {"uint16", tensorboard::DT_UINT16},      {"uint32", tensorboard::DT_UINT32},
        {"uint64", tensorboard::DT_UINT64},      {"bool", tensorboard::DT_BOOL},
        {"string", tensorboard::DT_STRING},      {"complex64", tensorboard::DT_COMPLEX64},
        {"complex128", tensorboard::DT_COMPLEX128}, {"qint8", tensorboard::DT_QINT8},
        {"quint8", tensorboard::DT_QUINT8},      {"qint16", tensorboard::DT_QINT16},
        {"quint16", tensorboard::DT_QUINT16},    {"qint32", tensorboard::DT_QINT32},
        {"resource", tensorboard::DT_RESOURCE},  {"variant", tensorboard::DT_VARIANT},
    };
    auto it = names.find(name);
    if (it == names.end()) return std::nullopt;
    return it->second;
}

}  // namespace

std::unique_ptr<gp::Message> keras_model_to_graph_def(const std::string& model_json) {
    json model;
    try {
        model = json::parse(model_json);
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("Keras model config is not JSON: ") + e.what());
    }
    std::vector<std::pair<std::string, const json*>> layers;
    walk_layers(model, "", layers);
    KerasState st;
    auto g = empty_graph();
    for (const auto& [scope, layer] : layers) {
        const json& cfg = config_of(*layer);
        if (get(cfg, "layers")) {  // _is_model
            update_dicts(scope, *layer, st);
            continue;
        }
        const std::string node_name = scoped(scope, str_of(cfg.value("name", json())));
        gp::Message* node = add(*g, "node");
        set_str(*node, "name", node_name);
        if (const json* cls = get(*layer, "class_name"))
            set_str(*map_value(*node, "attr", "keras_class"), "s", str_of(*cls));
        // dtype: a name, or a DTypePolicy {"class_name", "config": {"name"}} (Keras 3,
        // mixed precision); a name TensorFlow does not know ("mixed_float16") is skipped.
        if (const json* d = get(cfg, "dtype")) {
            const json* name = d;
            if (d->is_object() && d->contains("config")) name = get((*d)["config"], "name");
            if (name && name->is_string())
                if (auto t = tf_dtype(name->get<std::string>())) {
                    gp::Message* v = map_value(*node, "attr", "dtype");
                    v->GetReflection()->SetEnumValue(v, field(*v, "type"), *t);
                }
        }
        const gp::Reflection* r = node->GetReflection();
        const auto* input_f = field(*node, "input");
        if (get(*layer, "inbound_nodes")) {
            for (const auto& in : inbound_nodes(*layer)) {
                const std::string inbound_name = scoped(scope, in.name);
                auto it = st.model_to_output.find(inbound_name);
                const std::vector<std::string> names = it == st.model_to_output.end() ? std::vector<std::string>{inbound_name} : it->second;
                const std::string& input = in.index >= 0 && static_cast<std::size_t>(in.index) < names.size()
                                               ? names[static_cast<std::size_t>(in.index)]
                                               : names.back();
                r->AddString(node, input_f, input);
            }
        } else if (st.prev) {
            r->AddString(node, input_f, *st.prev);
        }
        if (auto it = st.input_to_layer.find(node_name); it != st.input_to_layer.end()) r->AddString(node, input_f, it->second);
        st.prev = node_name;
    }
    return g;
}

}  // namespace tblog::view
