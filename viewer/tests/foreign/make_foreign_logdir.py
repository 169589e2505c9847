#!/usr/bin/python3
"""Writes a logdir as writers other than tblog/PyTorch write it (the "foreign" corpus).

    make_foreign_logdir.py OUT_DIR

Every event is built field by field from tblog's schema in proto/ (compiled by protoc, through
tools/dump_events.py) with the real protobuf runtime and framed as TFRecords; the comment on
each writer names the TensorFlow / Keras / TensorBoard / tensorboardX source whose layout it
follows. Nothing here is a copied binary. The corpus is deterministic (fixed wall times).

Runs written (see WHAT below for the facts the tests check):
  keras/train, keras/validation     tf.keras.callbacks.TensorBoard(histogram_freq=1, write_images,
                                    profile_batch): epoch_* tensor scalars, weight histograms as
                                    [k,3] DT_DOUBLE tensors, weight images as [w,h,png] string
                                    tensors, the "keras" conceptual graph, the train-function op
                                    graph with its function library, a profile session folder
  keras3_functional                 a Keras 3 Functional model config (nested Sequential)
  tf_function                       tf.summary.trace_export: RunMetadata with two function graphs
  tf1                               TF1 FileWriter: simple_value, histo (+-DBL_MAX edges), image,
                                    audio, graph_def, tagged_run_metadata, SessionLog START purge
  hparams, hparams/session_{1,2,3}  TensorBoard's hparams API (experiment, session start/end)
                                    with metrics in train/validation sub-runs
  pr_curves, custom_scalars, text   the TF summary ops of those plugins
  tbx, tbx/loss_train, ...          tensorboardX's SummaryWriter (add_scalar(s), add_histogram,
                                    add_image, add_text, add_hparams)
  awkward/...                       a restart (two files), a truncated last record, a zero-length
                                    file, an empty directory, 3-level nesting, odd tag names,
                                    duplicate and backward steps
"""
import gzip
import io
import json
import math
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
import dump_events as de  # noqa: E402  (compiles proto/ with protoc; record framing, crc32c)

pb = {name: sys.modules[name] for name in list(sys.modules) if name.endswith("_pb2") and hasattr(sys.modules[name], "DESCRIPTOR")}
event_pb2, summary_pb2, tensor_pb2, types_pb2 = pb["event_pb2"], pb["summary_pb2"], pb["tensor_pb2"], pb["types_pb2"]
graph_pb2, run_metadata_pb2, step_stats_pb2 = pb["graph_pb2"], pb["run_metadata_pb2"], pb["step_stats_pb2"]
hp_pb2 = pb["plugin_hparams_pb2"]
from google.protobuf import struct_pb2  # noqa: E402

DT = types_pb2
WALL0 = 1_700_000_000.0  # fixed wall times: the corpus is the same bytes every time


# --------------------------------------------------------------------------------------------
# framing and files


record = de.frame_record


class EventFile:
    """An events.out.tfevents.* file; the first event carries file_version (every TF writer,
    tensorflow/core/util/events_writer.cc: "brain.Event:2")."""

    def __init__(self, run_dir, stamp, host="tfhost", suffix=".v2", pid=4242):
        os.makedirs(run_dir, exist_ok=True)
        self.path = os.path.join(run_dir, "events.out.tfevents.%d.%s.%d.0%s" % (stamp, host, pid, suffix))
        self.f = open(self.path, "wb")
        e = event_pb2.Event(wall_time=float(stamp), file_version="brain.Event:2")
        self.write(e)

    def write(self, event):
        self.f.write(record(event.SerializeToString()))

    def summary(self, step, *values, wall=None):
        e = event_pb2.Event(wall_time=WALL0 + step if wall is None else wall, step=step)
        for v in values:
            e.summary.value.append(v)
        self.write(e)

    def close(self):
        self.f.close()


def rank0_float_tensor(x, as_content=False):
    # TF2 summary ops serialize through TensorFlow's C++ (Tensor::AsProtoTensorContent):
    # the value is in tensor_content, not float_val; the loader must read both.
    t = tensor_pb2.TensorProto(dtype=DT.DT_FLOAT)
    if as_content:
        t.tensor_content = struct.pack("<f", x)
    else:
        t.float_val.append(x)
    return t


def string_tensor(values, shape):
    t = tensor_pb2.TensorProto(dtype=DT.DT_STRING)
    for d in shape:
        t.tensor_shape.dim.add(size=d)
    t.string_val.extend(values)
    return t


def metadata(plugin, content=b"", data_class=None, display_name="", description=""):
    md = summary_pb2.SummaryMetadata(display_name=display_name, summary_description=description)
    md.plugin_data.plugin_name = plugin
    md.plugin_data.content = content
    if data_class is not None:
        md.data_class = data_class
    return md


def tf2_scalar(tag, x):
    # tensorboard/plugins/scalar/summary_v2.py: plugin "scalars", ScalarPluginData (version 0:
    # empty bytes), DATA_CLASS_SCALAR; the value a rank-0 float32 tensor.
    return summary_pb2.Summary.Value(tag=tag, metadata=metadata("scalars", b"", summary_pb2.DATA_CLASS_SCALAR),
                                     tensor=rank0_float_tensor(x, as_content=True))


def tf2_histogram(tag, buckets):
    # tensorboard/plugins/histogram/summary_v2.py: a [k, 3] float64 tensor of (left, right,
    # count) rows, plugin "histograms", DATA_CLASS_TENSOR.
    t = tensor_pb2.TensorProto(dtype=DT.DT_DOUBLE)
    t.tensor_shape.dim.add(size=len(buckets))
    t.tensor_shape.dim.add(size=3)
    t.tensor_content = b"".join(struct.pack("<3d", *row) for row in buckets)
    return summary_pb2.Summary.Value(tag=tag, metadata=metadata("histograms", b"", summary_pb2.DATA_CLASS_TENSOR), tensor=t)


def tf2_image(tag, w, h, pngs):
    # tensorboard/plugins/image/summary_v2.py: string tensor [2 + n] = (width, height, png...),
    # plugin "images", DATA_CLASS_BLOB_SEQUENCE.
    return summary_pb2.Summary.Value(
        tag=tag, metadata=metadata("images", b"", summary_pb2.DATA_CLASS_BLOB_SEQUENCE),
        tensor=string_tensor([str(w).encode(), str(h).encode()] + pngs, [2 + len(pngs)]))


def tf2_text(tag, text):
    # tensorboard/plugins/text/summary_v2.py: rank-0 string tensor, plugin "text",
    # DATA_CLASS_TENSOR.
    return summary_pb2.Summary.Value(tag=tag, metadata=metadata("text", b"", summary_pb2.DATA_CLASS_TENSOR),
                                     tensor=string_tensor([text.encode()], []))


def png(w, h, seed):
    """A w x h RGB PNG (zlib-compressed scanlines, filter 0)."""
    rows = b"".join(b"\x00" + b"".join(bytes(((x * 40 + seed * 70) % 256, (y * 60) % 256, (x * y * 9 + seed) % 256))
                                        for x in range(w)) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def wav(n=800, rate=8000):
    """16-bit mono PCM WAV of a 440 Hz tone."""
    data = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data" + struct.pack("<I", len(data)) + data)


# --------------------------------------------------------------------------------------------
# graphs


def node(name, op, inputs=(), attrs=()):
    n = pb["node_def_pb2"].NodeDef(name=name, op=op)
    n.input.extend(inputs)
    for k, setter in attrs:  # attribute order is the wire order TensorBoard prints
        setter(n.attr[k])
    return n


def attr_type(dt):
    return lambda a: setattr(a, "type", dt)


def attr_func(name):
    return lambda a: setattr(a.func, "name", name)


def function_graph(fname, producer=1645):
    """A tf.function trace as TensorFlow 2 writes it: placeholders, a PartitionedCall of the
    traced body, the body in library.function (signature = OpDef), and versions
    (tensorflow/core/framework/graph.proto, function.proto, op_def.proto, versions.proto)."""
    g = graph_pb2.GraphDef()
    g.node.append(node("x", "Placeholder", attrs=[("dtype", attr_type(DT.DT_FLOAT))]))
    g.node.append(node("PartitionedCall", "PartitionedCall", ["x", "^x"],
                       attrs=[("Tin", lambda a: a.list.type.append(DT.DT_FLOAT)), ("f", attr_func(fname))]))
    g.node.append(node("Identity", "Identity", ["PartitionedCall"], attrs=[("T", attr_type(DT.DT_FLOAT))]))
    f = g.library.function.add()
    f.signature.name = fname
    arg = f.signature.input_arg.add(name="x", type=DT.DT_FLOAT)
    out = f.signature.output_arg.add(name="identity", type=DT.DT_FLOAT)
    del arg, out
    f.signature.is_stateful = False
    f.node_def.append(node("mul", "Mul", ["x", "x"], attrs=[("T", attr_type(DT.DT_FLOAT))]))
    f.node_def.append(node("Identity", "Identity", ["mul:z:0"], attrs=[("T", attr_type(DT.DT_FLOAT))]))
    f.ret["identity"] = "Identity:output:0"
    f.attr["_noinline"].b = True
    f.arg_attr[0].attr["_user_specified_name"].s = b"x"
    gr = g.library.gradient.add(function_name=fname, gradient_func=fname + "_grad")
    del gr
    g.versions.producer = producer
    g.versions.min_consumer = 12
    return g


KERAS2_SEQUENTIAL = {
    # tf.keras (Keras 2) Sequential.to_json(): layers in order, no inbound_nodes.
    "class_name": "Sequential", "keras_version": "2.15.0", "backend": "tensorflow",
    "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "dense_input"}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 8, "dtype": "float32", "activation": "relu"}},
        {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2, "dtype": "float32"}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 2, "dtype": "mixed_float16"}},
    ]}}


def k3_tensor(layer, node_index=0, tensor_index=0):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None, 4], "dtype": "float32",
                                                         "keras_history": [layer, node_index, tensor_index]}}


def k3_policy(name):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


KERAS3_FUNCTIONAL = {
    # Keras 3 Functional.to_json(): inbound_nodes as {"args": [keras tensors]} with
    # keras_history [layer, node_index, tensor_index]; dtype as a DTypePolicy; a nested
    # Sequential model as a layer (keras/src/models/functional.py, sequential.py).
    "module": "keras", "class_name": "Functional", "registered_name": "Functional",
    "config": {"name": "functional", "trainable": True,
               "layers": [
                   {"module": "keras.layers", "class_name": "InputLayer",
                    "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "input_layer"}, "inbound_nodes": []},
                   {"module": "keras.layers", "class_name": "Dense",
                    "config": {"name": "dense", "units": 4, "dtype": k3_policy("float32")},
                    "inbound_nodes": [{"args": [k3_tensor("input_layer")], "kwargs": {}}]},
                   {"module": "keras", "class_name": "Sequential",
                    "config": {"name": "tower", "layers": [
                        {"module": "keras.layers", "class_name": "InputLayer",
                         "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "tower_input"}},
                        {"module": "keras.layers", "class_name": "Dense",
                         "config": {"name": "tower_dense", "units": 4, "dtype": k3_policy("float32")}}]},
                    "inbound_nodes": [{"args": [k3_tensor("dense")], "kwargs": {}}]},
                   {"module": "keras.layers", "class_name": "Concatenate",
                    "config": {"name": "concatenate", "axis": -1, "dtype": k3_policy("float32")},
                    "inbound_nodes": [{"args": [[k3_tensor("dense"), k3_tensor("tower")]], "kwargs": {}}]},
                   {"module": "keras.layers", "class_name": "Dense",
                    "config": {"name": "head", "units": 1, "dtype": k3_policy("mixed_float16")},
                    "inbound_nodes": [{"args": [k3_tensor("concatenate")], "kwargs": {}}]}],
               "input_layers": [["input_layer", 0, 0]], "output_layers": [["head", 0, 0]]}}

KERAS2_FUNCTIONAL = {
    # tf.keras (Keras 2) Functional: inbound_nodes as [[layer, node_index, tensor_index, kwargs]].
    "class_name": "Functional", "keras_version": "2.15.0",
    "config": {"name": "model", "layers": [
        {"class_name": "InputLayer", "name": "input_1", "config": {"name": "input_1", "dtype": "float32"}, "inbound_nodes": []},
        {"class_name": "Dense", "name": "d1", "config": {"name": "d1", "dtype": "float32"},
         "inbound_nodes": [[["input_1", 0, 0, {}]]]},
        {"class_name": "Add", "name": "add", "config": {"name": "add", "dtype": "float32"},
         "inbound_nodes": [[["d1", 0, 0, {}], ["input_1", 0, 0, {}]]]}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["add", 0, 0]]}}


def keras_model_value(model):
    # tensorflow/python/ops/summary_ops_v2.py keras_model(): tag "keras", plugin
    # "graph_keras_model", content b"1", no data class, rank-0 string tensor of to_json().
    return summary_pb2.Summary.Value(tag="keras", metadata=metadata("graph_keras_model", b"1"),
                                     tensor=string_tensor([json.dumps(model).encode()], []))


# --------------------------------------------------------------------------------------------
# the runs


def write_keras(out):
    """keras/src/callbacks/tensorboard.py (Keras 3) and tf_keras's TensorBoard callback:
    train/ and validation/ writers, epoch_<metric> scalars per epoch, evaluation_<metric>_vs_
    iterations in validation/, <layer>/<weight>/histogram and .../image per epoch, the model
    config at step 0 ("keras"), the train function's graph (summary_ops_v2.graph -> Event.
    graph_def) and the profiler's plugins/profile/<session>/ folder under train/."""
    train = EventFile(os.path.join(out, "keras", "train"), 1700000000)
    val = EventFile(os.path.join(out, "keras", "validation"), 1700000001)
    train.summary(0, keras_model_value(KERAS2_SEQUENTIAL))
    e = event_pb2.Event(wall_time=WALL0, step=0)
    e.graph_def = function_graph("__inference_train_function_512").SerializeToString()
    train.write(e)
    for epoch in range(5):
        train.summary(epoch, tf2_scalar("epoch_loss", 1.0 / (epoch + 1)), tf2_scalar("epoch_accuracy", 0.5 + epoch / 10))
        train.summary(epoch, tf2_scalar("epoch_learning_rate", 0.001))
        k = 4
        buckets = [(-1.0 + i * 0.5, -0.5 + i * 0.5, float(epoch + i)) for i in range(k)]
        train.summary(epoch, tf2_histogram("dense/kernel/histogram", buckets), tf2_histogram("dense/bias/histogram", buckets[:1]))
        train.summary(epoch, tf2_image("dense/kernel/image", 4, 8, [png(4, 8, epoch)]))
        val.summary(epoch, tf2_scalar("epoch_loss", 1.2 / (epoch + 1)), tf2_scalar("epoch_accuracy", 0.4 + epoch / 10))
        val.summary(epoch * 100, tf2_scalar("evaluation_loss_vs_iterations", 1.2 / (epoch + 1)))
    train.close()
    val.close()
    # tensorflow/python/profiler: plugins/profile/<YYYY_MM_DD_HH_MM_SS>/<host>.trace.json.gz
    # (Chrome trace events; newer profilers add <host>.xplane.pb beside it).
    prof = os.path.join(out, "keras", "train", "plugins", "profile", "2023_11_14_22_13_20")
    os.makedirs(prof, exist_ok=True)
    trace = {"displayTimeUnit": "ns", "traceEvents": [
        {"ph": "M", "pid": 1, "name": "process_name", "args": {"name": "/host:CPU"}},
        {"ph": "X", "pid": 1, "tid": 1, "name": "train_step", "ts": 0, "dur": 1500},
        {"ph": "X", "pid": 1, "tid": 1, "name": "MatMul", "ts": 100, "dur": 400}]}
    with open(os.path.join(prof, "tfhost.trace.json.gz"), "wb") as f:
        f.write(gzip.compress(json.dumps(trace).encode(), mtime=0))

    k3 = EventFile(os.path.join(out, "keras3_functional"), 1700000002)
    k3.summary(0, keras_model_value(KERAS3_FUNCTIONAL))
    k3.summary(1, summary_pb2.Summary.Value(tag="keras_v2", metadata=metadata("graph_keras_model", b"1"),
                                            tensor=string_tensor([json.dumps(KERAS2_FUNCTIONAL).encode()], [])))
    # Not a model config: the graph route must refuse it (400), not crash.
    k3.summary(2, summary_pb2.Summary.Value(tag="keras_bad", metadata=metadata("graph_keras_model", b"1"),
                                            tensor=string_tensor([b'{"config": [1, 2]}'], [])))
    k3.close()


def write_tf_function(out):
    """tf.summary.trace_on(graph=True) + trace_export(name, step): tensorboard/plugins/graph
    summary -> plugin "graph_run_metadata_graph", content b"1", rank-0 string tensor of a
    RunMetadata whose function_graphs hold each traced function's pre-optimization graph."""
    f = EventFile(os.path.join(out, "tf_function"), 1700000003)
    rm = run_metadata_pb2.RunMetadata()
    for name in ("__inference_step_101", "__inference_eval_202"):
        rm.function_graphs.add().pre_optimization_graph.CopyFrom(function_graph(name))
    f.summary(0, summary_pb2.Summary.Value(tag="my_trace", metadata=metadata("graph_run_metadata_graph", b"1"),
                                           tensor=string_tensor([rm.SerializeToString()], [])))
    rm1 = run_metadata_pb2.RunMetadata()
    rm1.function_graphs.add().pre_optimization_graph.CopyFrom(function_graph("__inference_single_7"))
    f.summary(0, summary_pb2.Summary.Value(tag="single_trace", metadata=metadata("graph_run_metadata_graph", b"1"),
                                           tensor=string_tensor([rm1.SerializeToString()], [])))
    f.close()


def write_tf1(out):
    """TF1 tf.summary.FileWriter + tf.compat.v1.summary.*: values without plugin metadata
    (tensorflow/core/framework/summary.proto: simple_value, histo, image, audio), the session
    graph as Event.graph_def, add_run_metadata as Event.tagged_run_metadata, and SessionLog
    START after a restart from a checkpoint (tensorflow/python/summary/writer/writer.py)."""
    f = EventFile(os.path.join(out, "tf1"), 1600000000, suffix="")
    g = graph_pb2.GraphDef()
    g.node.append(node("input", "Placeholder", attrs=[("dtype", attr_type(DT.DT_FLOAT))]))
    g.node.append(node("dense/MatMul", "MatMul", ["input", "dense/kernel/read"], attrs=[("T", attr_type(DT.DT_FLOAT))]))
    g.versions.producer = 27
    e = event_pb2.Event(wall_time=WALL0, step=0)
    e.graph_def = g.SerializeToString()
    f.write(e)
    for step in range(10):
        f.summary(step, summary_pb2.Summary.Value(tag="loss", simple_value=10.0 - step))
    # A histogram as TF1's HistogramProto (tensorflow/core/lib/histogram/histogram.cc): the
    # outermost limits are -DBL_MAX and DBL_MAX, empty edge buckets included.
    h = summary_pb2.HistogramProto(min=-0.5, max=2.5, num=6, sum=6.0, sum_squares=11.0)
    h.bucket_limit.extend([-1.7976931348623157e308, 0.0, 1.0, 2.0, 3.0, 1.7976931348623157e308])
    h.bucket.extend([0.0, 1.0, 2.0, 2.0, 1.0, 0.0])
    f.summary(3, summary_pb2.Summary.Value(tag="weights", histo=h))
    img = summary_pb2.Summary.Image(height=8, width=4, colorspace=3, encoded_image_string=png(4, 8, 1))
    f.summary(3, summary_pb2.Summary.Value(tag="input_image/image/0", image=img))
    au = summary_pb2.Summary.Audio(sample_rate=8000, num_channels=1, length_frames=800, encoded_audio_string=wav(),
                                   content_type="audio/wav")
    f.summary(3, summary_pb2.Summary.Value(tag="tone/audio/0", audio=au))
    rm = run_metadata_pb2.RunMetadata()
    dev = rm.step_stats.dev_stats.add(device="/job:localhost/replica:0/task:0/device:CPU:0")
    dev.node_stats.add(node_name="dense/MatMul", all_start_micros=10, op_end_rel_micros=5)
    e = event_pb2.Event(wall_time=WALL0 + 3, step=3)
    e.tagged_run_metadata.tag = "step3"
    e.tagged_run_metadata.run_metadata = rm.SerializeToString()
    f.write(e)
    # Restart from the checkpoint of step 6: SessionLog START at 6, steps 6.. rewritten.
    e = event_pb2.Event(wall_time=WALL0 + 20, step=6)
    e.session_log.status = event_pb2.SessionLog.START
    f.write(e)
    for step in range(6, 8):
        f.summary(step, summary_pb2.Summary.Value(tag="loss", simple_value=100.0 + step), wall=WALL0 + 20 + step)
    f.close()


def hparams_value(tag, plugin_data):
    # tensorboard/plugins/hparams/summary.py _summary(): a value with only metadata (plugin
    # "hparams", content HParamsPluginData), no tensor.
    return summary_pb2.Summary.Value(tag=tag, metadata=metadata("hparams", plugin_data.SerializeToString()))


def write_hparams(out):
    """tensorboard.plugins.hparams.api (hp.hparams_config + hp.KerasCallback): the experiment
    in the top run, each session's start/end info in its own run, metrics as epoch_* scalars
    in the session's train/ and validation/ sub-runs."""
    top = EventFile(os.path.join(out, "hparams"), 1700000100)
    exp = hp_pb2.HParamsPluginData(version=0)
    e = exp.experiment
    e.time_created_secs = WALL0
    lr = e.hparam_infos.add(name="learning_rate", type=hp_pb2.DATA_TYPE_FLOAT64)
    lr.domain_interval.min_value, lr.domain_interval.max_value = 0.0001, 0.1
    opt = e.hparam_infos.add(name="optimizer", type=hp_pb2.DATA_TYPE_STRING)
    opt.domain_discrete.values.add(string_value="adam")
    opt.domain_discrete.values.add(string_value="sgd")
    e.hparam_infos.add(name="use_bn", type=hp_pb2.DATA_TYPE_BOOL, display_name="batch norm")
    e.metric_infos.add(display_name="val loss", dataset_type=hp_pb2.DATASET_VALIDATION).name.MergeFrom(
        hp_pb2.MetricName(group="validation", tag="epoch_loss"))
    e.metric_infos.add(display_name="train_acc").name.MergeFrom(hp_pb2.MetricName(group="train", tag="epoch_accuracy"))
    top.summary(0, hparams_value("_hparams_/experiment", exp))
    top.close()
    sessions = [("session_1", 0.01, "adam", True, 0.5, hp_pb2.STATUS_SUCCESS),
                ("session_2", 0.001, "sgd", False, 0.25, hp_pb2.STATUS_SUCCESS),
                ("session_3", 0.1, "adam", False, 0.75, hp_pb2.STATUS_FAILURE)]
    for i, (name, lr_v, opt_v, bn, loss, status) in enumerate(sessions):
        d = os.path.join(out, "hparams", name)
        s = EventFile(d, 1700000200 + i)
        start = hp_pb2.HParamsPluginData(version=0)
        si = start.session_start_info
        si.hparams["learning_rate"].number_value = lr_v
        si.hparams["optimizer"].string_value = opt_v
        si.hparams["use_bn"].bool_value = bn
        si.start_time_secs = WALL0 + i
        s.summary(0, hparams_value("_hparams_/session_start_info", start))
        end = hp_pb2.HParamsPluginData(version=0)
        end.session_end_info.status = status
        end.session_end_info.end_time_secs = WALL0 + 100 + i
        s.summary(0, hparams_value("_hparams_/session_end_info", end))
        s.close()
        for group, scale in (("train", 1.0), ("validation", 2.0)):
            m = EventFile(os.path.join(d, group), 1700000300 + i)
            for epoch in range(3):
                m.summary(epoch, tf2_scalar("epoch_loss", loss * scale / (epoch + 1)),
                          tf2_scalar("epoch_accuracy", 1 - loss * scale / (epoch + 1) / 2))
            m.close()


def write_pr_and_custom_scalars(out):
    """tensorboard/plugins/pr_curve/summary.py raw_data_op/pb: a [6, num_thresholds] float
    tensor (TP, FP, TN, FN, precision, recall), plugin "pr_curves", PrCurvePluginData; and
    tensorboard/plugins/custom_scalar/summary.py pb(layout): tag "custom_scalars__config__",
    plugin "custom_scalars", rank-0 string tensor of the Layout, beside the scalars it names."""
    f = EventFile(os.path.join(out, "pr_curves"), 1700000400)
    n = 5
    content = pb["plugin_pr_curve_pb2"].PrCurvePluginData(version=0, num_thresholds=n).SerializeToString()
    for step in range(2):
        tp = [10.0 - 2 * i - step for i in range(n)]
        fp = [10.0 - 2.5 * i for i in range(n)]
        tn = [10.0 - x for x in fp]
        fn = [10.0 - x for x in tp]
        prec = [a / (a + b) if a + b else 1.0 for a, b in zip(tp, fp)]
        rec = [a / (a + b) if a + b else 0.0 for a, b in zip(tp, fn)]
        t = tensor_pb2.TensorProto(dtype=DT.DT_FLOAT)
        t.tensor_shape.dim.add(size=6)
        t.tensor_shape.dim.add(size=n)
        t.float_val.extend(tp + fp + tn + fn + prec + rec)
        f.summary(step, summary_pb2.Summary.Value(tag="cat/pr_curves", metadata=metadata("pr_curves", content), tensor=t))
    f.close()

    cs = pb["plugin_custom_scalar_pb2"]
    layout = cs.Layout()
    cat = layout.category.add(title="losses")
    ch = cat.chart.add(title="all losses")
    ch.multiline.tag.append(r"loss/.*")
    ch2 = cat.chart.add(title="loss with margin")
    ch2.margin.series.add(value="loss/mean", lower="loss/lower", upper="loss/upper")
    f = EventFile(os.path.join(out, "custom_scalars"), 1700000500)
    f.summary(0, summary_pb2.Summary.Value(tag="custom_scalars__config__", metadata=metadata("custom_scalars"),
                                           tensor=string_tensor([layout.SerializeToString()], [])))
    for step in range(4):
        f.summary(step, tf2_scalar("loss/mean", 1.0 / (step + 1)), tf2_scalar("loss/lower", 0.5 / (step + 1)),
                  tf2_scalar("loss/upper", 1.5 / (step + 1)), tf2_scalar("loss/train", 2.0 / (step + 1)))
    f.close()

    f = EventFile(os.path.join(out, "text"), 1700000600)
    f.summary(0, tf2_text("notes", "# Notes\n\n*TF2* text, with a [link](http://example.com)."))
    f.close()


def write_tensorboardx(out):
    """tensorboardX.SummaryWriter (tensorboardX/summary.py, writer.py): file names without the
    ".v2" suffix, scalars as simple_value with no metadata, add_scalars into <run>/<main_tag>_
    <tag> sub-runs, HistogramProto histograms with real edges, Summary.Image, text as a
    string tensor with plugin "text", and add_hparams' experiment/session summaries in a
    timestamped sub-run."""
    f = EventFile(os.path.join(out, "tbx"), 1700000700, host="tbxhost", suffix="")
    for step in range(5):
        f.summary(step, summary_pb2.Summary.Value(tag="tbx/loss", simple_value=0.1 * step))
    h = summary_pb2.HistogramProto(min=0.0, max=3.0, num=4, sum=6.0, sum_squares=14.0)
    h.bucket_limit.extend([1.0, 2.0, 3.0])
    h.bucket.extend([1.0, 1.0, 2.0])
    f.summary(1, summary_pb2.Summary.Value(tag="tbx/hist", histo=h))
    f.summary(1, summary_pb2.Summary.Value(tag="tbx/image", image=summary_pb2.Summary.Image(
        height=8, width=4, colorspace=3, encoded_image_string=png(4, 8, 2))))
    f.summary(1, summary_pb2.Summary.Value(
        tag="tbx/text", metadata=metadata("text", pb["plugin_text_pb2"].TextPluginData(version=0).SerializeToString()),
        tensor=string_tensor([b"hello from tensorboardX"], [1])))
    f.close()
    for sub, scale in (("loss_train", 1.0), ("loss_val", 1.5)):
        g = EventFile(os.path.join(out, "tbx", sub), 1700000701, host="tbxhost", suffix="")
        for step in range(3):
            g.summary(step, summary_pb2.Summary.Value(tag="loss", simple_value=scale / (step + 1)))
        g.close()


def write_awkward(out):
    """Legal but awkward: what real logdirs contain after crashes, restarts and odd names."""
    base = os.path.join(out, "awkward")
    # A restart: a second event file in the same run, going back to step 3 (the Rust data
    # server's reservoir preempts: points with step >= 3 of the first file are dropped).
    a = EventFile(os.path.join(base, "restart"), 1700001000)
    for step in range(6):
        a.summary(step, tf2_scalar("loss", float(step)))
    a.close()
    b = EventFile(os.path.join(base, "restart"), 1700002000)
    for step in range(3, 5):
        b.summary(step, tf2_scalar("loss", 100.0 + step), wall=WALL0 + 1000 + step)
    b.close()
    # A writer killed mid-record: the last record is cut short.
    t = EventFile(os.path.join(base, "truncated"), 1700003000)
    for step in range(4):
        t.summary(step, tf2_scalar("loss", float(step)))
    t.close()
    cut = record(event_pb2.Event(wall_time=WALL0, step=99, summary=summary_pb2.Summary(
        value=[tf2_scalar("loss", 99.0)])).SerializeToString())
    with open(t.path, "ab") as fh:
        fh.write(cut[: len(cut) // 2])
    # A zero-length event file beside a real one, and a run that is only a zero-length file.
    z = EventFile(os.path.join(base, "zero_length"), 1700004000)
    z.summary(0, tf2_scalar("loss", 1.0))
    z.close()
    open(os.path.join(base, "zero_length", "events.out.tfevents.1700004001.tfhost.1.0.v2"), "wb").close()
    os.makedirs(os.path.join(base, "only_empty_file"), exist_ok=True)
    open(os.path.join(base, "only_empty_file", "events.out.tfevents.1700004002.tfhost.1.0.v2"), "wb").close()
    # An empty run directory (created by a writer that never wrote).
    os.makedirs(os.path.join(base, "empty_dir"), exist_ok=True)
    # Runs nested three levels deep.
    n = EventFile(os.path.join(base, "level1", "level2", "level3"), 1700005000)
    n.summary(0, tf2_scalar("deep", 3.0))
    n.close()
    # Tag names with spaces, unicode and URL-special characters; duplicate and backward steps.
    o = EventFile(os.path.join(base, "odd_tags"), 1700006000)
    for step in range(3):
        o.summary(step, tf2_scalar("loss with spaces", float(step)), tf2_scalar("ünïcødé/λ", float(step) * 2),
                  tf2_scalar("a&b?c#d%e+f", float(step) * 3))
    o.summary(2, tf2_scalar("dup", 1.0))
    o.summary(2, tf2_scalar("dup", 2.0))  # duplicate step: the later value wins
    for step in range(4):
        o.summary(step, tf2_scalar("back", float(step)))
    for step in (1, 2):  # backward: steps 1..3 of the first pass are dropped, 1 and 2 rewritten
        o.summary(step, tf2_scalar("back", 10.0 + step))
    o.close()


def write_mesh_and_projector(out):
    """tensorboard/plugins/mesh/summary_v2.py mesh(): one summary per component, tag
    "<name>_<CONTENT_TYPE>", MeshPluginData (metadata.create_summary_metadata), tensors [1, N, 3] of float32 vertices, int32 faces and uint8
    colors; and tensorboard.plugins.projector.visualize_embeddings(): projector_config.pbtxt
    in text format beside a TSV tensor and its metadata."""
    mesh_pb2 = pb["plugin_mesh_pb2"]
    f = EventFile(os.path.join(out, "mesh"), 1700000800)
    verts = [(0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)]
    faces = [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)]
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    M = mesh_pb2.MeshPluginData
    comps = (1 << M.VERTEX) | (1 << M.FACE) | (1 << M.COLOR)
    values = []
    for ctype, rows, dt, fmt in ((M.VERTEX, verts, DT.DT_FLOAT, "<f"), (M.FACE, faces, DT.DT_INT32, "<i"),
                                 (M.COLOR, colors, DT.DT_UINT8, "<B")):
        md = M(version=0, name="tetra", content_type=ctype, json_config="{}", shape=[1, len(rows), 3], components=comps)
        t = tensor_pb2.TensorProto(dtype=dt)
        for d in (1, len(rows), 3):
            t.tensor_shape.dim.add(size=d)
        t.tensor_content = b"".join(struct.pack(fmt, x) for row in rows for x in row)
        values.append(summary_pb2.Summary.Value(tag="tetra_" + M.ContentType.Name(ctype),
                                                metadata=metadata("mesh", md.SerializeToString(), summary_pb2.DATA_CLASS_TENSOR),
                                                tensor=t))
    f.summary(0, *values)
    f.close()

    d = os.path.join(out, "embedding")
    f = EventFile(d, 1700000900)
    f.summary(0, tf2_scalar("loss", 1.0))
    f.close()
    with open(os.path.join(d, "vectors.tsv"), "w") as fh:
        for i in range(6):
            fh.write("\t".join("%g" % ((i * 7 + j * 3) % 5 / 5.0) for j in range(4)) + "\n")
    with open(os.path.join(d, "metadata.tsv"), "w") as fh:
        fh.write("".join("word%d\n" % i for i in range(6)))
    cfg = pb["plugin_projector_pb2"].ProjectorConfig()
    emb = cfg.embeddings.add(tensor_name="word_embedding", tensor_path="vectors.tsv", metadata_path="metadata.tsv")
    emb.tensor_shape.extend([6, 4])
    from google.protobuf import text_format
    with open(os.path.join(d, "projector_config.pbtxt"), "w") as fh:
        fh.write(text_format.MessageToString(cfg))


WRITERS = [write_keras, write_mesh_and_projector, write_tf_function, write_tf1, write_hparams, write_pr_and_custom_scalars,
           write_tensorboardx, write_awkward]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for w in WRITERS:
        w(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
