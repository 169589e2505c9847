#!/usr/bin/python3
"""tblog-view on logdirs written by other writers (ctest viewer_foreign_logdir).

    test_foreign_logdir.py TBLOG_VIEW

Generates the foreign corpus (make_foreign_logdir.py: Keras callback, TF2 summary ops and
tf.function traces, TF1 legacy summaries, TensorBoard's hparams API, PR curves and custom
scalars the TF way, tensorboardX, awkward-but-legal files) into a scratch directory, starts
TBLOG_VIEW on it and checks its answers route by route against what stock TensorBoard 2.21
(Rust data server) answers for such files. Each check names the rule it follows.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
VIEW = None
BASE = None


def get(path, **params):
    url = BASE + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def get_json(path, **params):
    status, _, body = get(path, **params)
    assert status == 200, (path, status)
    return json.loads(body)


def status_of(path, **params):
    try:
        return get(path, **params)[0]
    except urllib.error.HTTPError as e:
        return e.code


def setUpModule():
    global BASE, _proc, _dir
    _dir = tempfile.mkdtemp(prefix="tblog_foreign_")
    logdir = os.path.join(_dir, "logs")
    subprocess.run([sys.executable, os.path.join(HERE, "make_foreign_logdir.py"), logdir], check=True)
    _proc = subprocess.Popen([VIEW, "--logdir", logdir, "--port", "0", "--reload_interval", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = _proc.stdout.readline()
    url = line.split(" at ", 1)[1].split(" ", 1)[0]
    BASE = url.rstrip("/") + "/"
    for _ in range(300):
        try:
            if get_json("data/tblog/status")["passes"] >= 1:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    raise RuntimeError("tblog-view did not finish its first load")


def tearDownModule():
    _proc.terminate()
    _proc.wait(timeout=10)
    shutil.rmtree(_dir, ignore_errors=True)


def scalar_values(run, tag):
    return [(row[1], row[2]) for row in get_json("data/plugin/scalars/scalars", run=run, tag=tag)]


class Runs(unittest.TestCase):
    def test_run_names(self):
        runs = get_json("data/runs")
        for r in ["keras/train", "keras/validation", "keras3_functional", "tf_function", "tf1", "hparams",
                  "hparams/session_1", "hparams/session_1/train", "hparams/session_3/validation", "pr_curves",
                  "custom_scalars", "text", "tbx", "tbx/loss_train", "tbx/loss_val", "awkward/restart",
                  "awkward/truncated", "awkward/zero_length", "awkward/level1/level2/level3", "awkward/odd_tags"]:
            self.assertIn(r, runs)
        # A directory without event files is not a run (TensorBoard lists run directories by
        # their event files).
        self.assertNotIn("awkward/empty_dir", runs)

    def test_plugins_listing_active(self):
        listing = get_json("data/plugins_listing")
        for p in ["scalars", "histograms", "distributions", "images", "audio", "graphs", "text", "pr_curves",
                  "custom_scalars", "hparams"]:
            self.assertTrue(listing[p]["enabled"], p)


class Keras(unittest.TestCase):
    def test_epoch_tensor_scalars(self):
        # tf.summary.scalar writes rank-0 float tensors (tensor_content) with plugin "scalars".
        tags = get_json("data/plugin/scalars/tags")
        self.assertEqual(sorted(tags["keras/train"]), ["epoch_accuracy", "epoch_learning_rate", "epoch_loss"])
        self.assertEqual(sorted(tags["keras/validation"]), ["epoch_accuracy", "epoch_loss", "evaluation_loss_vs_iterations"])
        self.assertEqual([s for s, _ in scalar_values("keras/train", "epoch_loss")], [0, 1, 2, 3, 4])
        self.assertAlmostEqual(scalar_values("keras/train", "epoch_loss")[3][1], 0.25, places=6)
        self.assertEqual([s for s, _ in scalar_values("keras/validation", "evaluation_loss_vs_iterations")],
                         [0, 100, 200, 300, 400])

    def test_weight_histograms(self):
        # [k, 3] DT_DOUBLE tensors: rows (left, right, count) served as they are.
        h = get_json("data/plugin/histograms/histograms", run="keras/train", tag="dense/kernel/histogram")
        self.assertEqual([row[1] for row in h], [0, 1, 2, 3, 4])
        self.assertEqual(h[2][2], [[-1.0, -0.5, 2.0], [-0.5, 0.0, 3.0], [0.0, 0.5, 4.0], [0.5, 1.0, 5.0]])
        d = get_json("data/plugin/distributions/distributions", run="keras/train", tag="dense/bias/histogram")
        self.assertEqual(len(d), 5)

    def test_weight_images(self):
        # String tensors [w, h, png...]: width and height come from the first two elements.
        imgs = get_json("data/plugin/images/images", run="keras/train", tag="dense/kernel/image")
        self.assertEqual([i["step"] for i in imgs], [0, 1, 2, 3, 4])
        status, ctype, body = get("data/plugin/images/individualImage?" + imgs[0]["query"])
        self.assertEqual(status, 200)
        self.assertEqual(body[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(ctype, "image/png")

    def test_graph_info(self):
        info = get_json("data/plugin/graphs/info")
        self.assertTrue(info["keras/train"]["run_graph"])
        self.assertEqual(info["keras/train"]["tags"]["keras"],
                         {"tag": "keras", "conceptual_graph": True, "op_graph": False, "profile": False})
        self.assertEqual(info["tf_function"]["tags"]["my_trace"]["op_graph"], True)

    def test_op_graph_with_function_library(self):
        # Every nested message printed as text format: FunctionDef.signature is an OpDef.
        _, ctype, body = get("data/plugin/graphs/graph", run="keras/train")
        text = body.decode()
        self.assertEqual(ctype, "text/x-protobuf")
        self.assertIn('library {\n  function {\n    signature {\n      name: "__inference_train_function_512"\n'
                      '      input_arg {\n        name: "x"\n        type: DT_FLOAT\n      }\n', text)
        self.assertIn('  gradient {\n    function_name: "__inference_train_function_512"\n', text)
        self.assertIn('ret {\n      key: "identity"\n      value: "Identity:output:0"\n    }', text)
        # map<uint32, ArgAttrs>: key 0 is proto3's default, so the entry prints its value only
        # (as protobuf's text format prints any message with a default scalar).
        self.assertIn('arg_attr {\n      value {\n        attr {\n          key: "_user_specified_name"', text)
        self.assertTrue(text.endswith('versions {\n  producer: 1645\n  min_consumer: 12\n}\n'), text[-200:])
        self.assertNotIn("\\", text)  # nothing printed as an escaped byte string

    def test_conceptual_graph_keras2_sequential(self):
        # keras_util.keras_model_to_graph_def: one node per layer, scoped by model name,
        # Sequential edges from layer order, keras_class then dtype attributes.
        _, _, body = get("data/plugin/graphs/graph", run="keras/train", tag="keras", conceptual="true")
        text = body.decode()
        self.assertTrue(text.startswith(
            'node {\n  name: "sequential/dense_input"\n  attr {\n    key: "keras_class"\n    value {\n'
            '      s: "InputLayer"\n    }\n  }\n  attr {\n    key: "dtype"\n    value {\n      type: DT_FLOAT\n'
            '    }\n  }\n}\nnode {\n  name: "sequential/dense"\n  input: "sequential/dense_input"\n'), text[:400])
        # "mixed_float16" is no TensorFlow dtype: no dtype attribute (TensorBoard issue 5548).
        self.assertIn('node {\n  name: "sequential/dense_1"\n  input: "sequential/dropout"\n  attr {\n'
                      '    key: "keras_class"\n    value {\n      s: "Dense"\n    }\n  }\n}\n', text)

    def test_conceptual_graph_keras3_functional(self):
        _, _, body = get("data/plugin/graphs/graph", run="keras3_functional", tag="keras", conceptual="true")
        text = body.decode()
        names = [l.split('"')[1] for l in text.splitlines() if l.startswith('  name: ')]
        self.assertEqual(names, ["functional/input_layer", "functional/dense", "functional/tower/tower_input",
                                 "functional/tower/tower_dense", "functional/concatenate", "functional/head"])
        # A nested model's first layer is fed by the model's inbound node; a layer fed by the
        # model reads the model's output layer; a list argument gives several inputs.
        self.assertIn('name: "functional/tower/tower_input"\n  input: "functional/dense"\n', text)
        self.assertIn('name: "functional/concatenate"\n  input: "functional/dense"\n'
                      '  input: "functional/tower/tower_dense"\n', text)
        self.assertIn('name: "functional/dense"\n  input: "functional/input_layer"\n  attr {\n'
                      '    key: "keras_class"\n    value {\n      s: "Dense"\n    }\n  }\n  attr {\n'
                      '    key: "dtype"\n    value {\n      type: DT_FLOAT\n', text)

    def test_conceptual_graph_keras2_functional(self):
        _, _, body = get("data/plugin/graphs/graph", run="keras3_functional", tag="keras_v2", conceptual="true")
        text = body.decode()
        self.assertIn('name: "model/add"\n  input: "model/d1"\n  input: "model/input_1"\n', text)

    def test_conceptual_graph_of_a_bad_config_is_refused(self):
        self.assertEqual(status_of("data/plugin/graphs/graph", run="keras3_functional", tag="keras_bad", conceptual="true"), 400)
        self.assertEqual(status_of("data/plugin/graphs/graph", run="keras3_functional", tag="nope", conceptual="true"), 404)

    def test_profile_session(self):
        runs = get_json("data/tblog/profile/runs")
        self.assertIn("keras/train", json.dumps(runs))
        self.assertIn("2023_11_14_22_13_20", json.dumps(runs))


class FunctionGraphs(unittest.TestCase):
    def test_merged_function_graphs(self):
        # graph_util.merge_graph_defs: graph_<i>/ node prefixes (every input, "^x" included),
        # graph_<i>_ function prefixes, the first graph's versions, libraries appended.
        _, _, body = get("data/plugin/graphs/graph", run="tf_function", tag="my_trace")
        text = body.decode()
        self.assertIn('name: "graph_1/PartitionedCall"\n  op: "PartitionedCall"\n  input: "graph_1/x"\n'
                      '  input: "graph_1/^x"\n', text)
        self.assertIn('      func {\n        name: "graph_2___inference_eval_202"\n', text)
        self.assertIn('signature {\n      name: "graph_1___inference_step_101"\n', text)
        self.assertIn('signature {\n      name: "graph_2___inference_eval_202"\n', text)
        self.assertIn('function_name: "graph_2___inference_eval_202"\n    gradient_func: "graph_2___inference_eval_202_grad"', text)
        self.assertEqual(text.count("versions {"), 1)
        self.assertTrue(text.endswith('versions {\n  producer: 1645\n  min_consumer: 12\n}\n'))
        # library comes before versions, as in GraphDef's field order (library = 2, versions = 4).
        self.assertLess(text.index("library {"), text.index("versions {"))

    def test_single_function_graph_kept_as_is(self):
        _, _, body = get("data/plugin/graphs/graph", run="tf_function", tag="single_trace")
        text = body.decode()
        self.assertIn('name: "PartitionedCall"\n', text)
        self.assertIn('name: "__inference_single_7"', text)
        self.assertNotIn("graph_1", text)


class TF1(unittest.TestCase):
    def test_simple_values_and_session_log_purge(self):
        # SessionLog START at step 6 purges steps >= 6 (PyTorch's purge_step; declared in
        # CONFORMANCE.md), then the rewritten 6 and 7 follow.
        self.assertEqual(scalar_values("tf1", "loss"),
                         [(0, 10.0), (1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0), (5, 5.0), (6, 106.0), (7, 107.0)])

    def test_histo_edge_buckets(self):
        # Rust data server (data_compat.rs): lefts = [min] + limits[:-1], rights = limits[:-1]
        # + [max], every bucket kept (the Python loader drops empty edge buckets).
        h = get_json("data/plugin/histograms/histograms", run="tf1", tag="weights")
        M = 1.7976931348623157e308
        self.assertEqual(h[0][2], [[-0.5, -M, 0.0], [-M, 0.0, 1.0], [0.0, 1.0, 2.0], [1.0, 2.0, 2.0],
                                   [2.0, 3.0, 1.0], [3.0, 2.5, 0.0]])

    def test_display_names_and_audio(self):
        # Rust data server: TF1 images/audio get no display name (Python: the tag) and audio
        # no encoding, so the content type is application/octet-stream (Python: audio/wav).
        tags = get_json("data/plugin/images/tags")["tf1"]
        self.assertEqual(tags["input_image/image/0"]["displayName"], "")
        audio = get_json("data/plugin/audio/audio", run="tf1", tag="tone/audio/0")
        self.assertEqual(audio[0]["contentType"], "application/octet-stream")
        status, ctype, body = get("data/plugin/audio/individualAudio?" + audio[0]["query"])
        self.assertEqual(body[:4], b"RIFF")
        self.assertEqual(ctype, "application/octet-stream")

    def test_run_graph_and_run_metadata(self):
        _, _, body = get("data/plugin/graphs/graph", run="tf1")
        self.assertIn('name: "dense/MatMul"', body.decode())
        _, _, body = get("data/plugin/graphs/run_metadata", run="tf1", tag="step3")
        self.assertIn('node_name: "dense/MatMul"', body.decode())


class HParams(unittest.TestCase):
    REQ = {"experimentName": "", "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
           "colParams": [], "startIndex": 0, "sliceSize": 100}

    def test_experiment(self):
        e = get_json("data/plugin/hparams/experiment", request="{}")
        self.assertEqual([h["name"] for h in e["hparamInfos"]], ["learning_rate", "optimizer", "use_bn"])
        self.assertEqual([(m["name"]["group"], m["name"]["tag"]) for m in e["metricInfos"]],
                         [("validation", "epoch_loss"), ("train", "epoch_accuracy")])

    def test_session_groups_metrics_from_sub_runs(self):
        g = get_json("data/plugin/hparams/session_groups", request=json.dumps(self.REQ))
        self.assertEqual(g["totalSize"], 3)
        s1 = g["sessionGroups"][0]
        self.assertEqual(s1["name"], "hparams/session_1")
        self.assertEqual(s1["hparams"], {"learning_rate": 0.01, "optimizer": "adam", "use_bn": True})
        loss = [m for m in s1["metricValues"] if m["name"]["tag"] == "epoch_loss"][0]
        self.assertAlmostEqual(loss["value"], 0.5 * 2 / 3, places=6)
        self.assertEqual(loss["trainingStep"], 2)
        self.assertEqual(g["sessionGroups"][2]["sessions"][0]["status"], "STATUS_FAILURE")

    def test_metric_evals_and_alias(self):
        req = json.dumps({"sessionName": "hparams/session_2", "metricName": {"group": "train", "tag": "epoch_loss"}})
        evals = get_json("data/plugin/hparams/metric_evals", request=req)
        self.assertEqual([e[1] for e in evals], [0, 1, 2])
        self.assertEqual(get_json("data/plugin/hparams/list_metric_evals", request=req), evals)

    def test_download_data(self):
        # download_data.py: header of display names (or names/tags), columns filtered by
        # columnsVisibility; csv via Python's csv module, json {header, rows}, latex table.
        req = json.dumps(self.REQ)
        vis = json.dumps([True, True, True, True, False])
        body = get_json("data/plugin/hparams/download_data", request=req, format="json", columnsVisibility=vis)
        self.assertEqual(body["header"], ["learning_rate", "optimizer", "batch norm", "val loss"])
        self.assertEqual(body["rows"][0][:3], [0.01, "adam", True])
        self.assertAlmostEqual(body["rows"][0][3], 1 / 3, places=6)
        status, ctype, raw = get("data/plugin/hparams/download_data", request=req, format="csv", columnsVisibility=vis)
        self.assertEqual(ctype, "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(raw.decode())))
        self.assertEqual(rows[0], ["learning_rate", "optimizer", "batch norm", "val loss"])
        self.assertEqual(rows[1][:3], ["0.01", "adam", "True"])
        self.assertEqual(rows[2][:3], ["0.001", "sgd", "False"])
        self.assertTrue(raw.decode().startswith("learning_rate,optimizer,batch norm,val loss\r\n0.01,adam,True,0.3333333"))
        status, ctype, raw = get("data/plugin/hparams/download_data", request=req, format="latex",
                                 columnsVisibility=json.dumps([True, True, True, False, True]))
        self.assertEqual(ctype, "application/x-latex")
        self.assertEqual(raw.decode().splitlines()[:4], [
            "\\begin{table}[tbp]", "\\begin{tabular}{llll}",
            "learning\\_rate & optimizer & batch norm & train\\_acc \\\\ \\hline",
            "$0.01$ & adam & $1$ & $0.917$ \\\\"])
        self.assertTrue(raw.decode().endswith("\\hline\n\\end{tabular}\n\\end{table}\n"))
        self.assertEqual(status_of("data/plugin/hparams/download_data", request=req, format="xml",
                                   columnsVisibility=vis), 400)


class PrCurvesCustomScalarsText(unittest.TestCase):
    def test_pr_curves(self):
        # pr_curve/summary.py's [6, n] tensor: counts as integers, thresholds i / (n - 1).
        pr = get_json("data/plugin/pr_curves/pr_curves", run="pr_curves", tag="cat/pr_curves")["pr_curves"]
        self.assertEqual([p["step"] for p in pr], [0, 1])
        self.assertEqual(pr[0]["true_positives"], [10, 8, 6, 4, 2])
        self.assertEqual(pr[0]["thresholds"], [0.0, 0.25, 0.5, 0.75, 1.0])

    def test_custom_scalars_layout(self):
        layout = get_json("data/plugin/custom_scalars/layout")
        self.assertEqual(layout["category"][0]["title"], "losses")
        self.assertEqual(layout["category"][0]["chart"][1]["margin"]["series"][0]["upper"], "loss/upper")
        got = get_json("data/plugin/custom_scalars/scalars", run="custom_scalars", tag=r"loss/(mean|upper)")
        self.assertTrue(got["regex_valid"])
        self.assertEqual(sorted(got["tag_to_events"]), ["loss/mean", "loss/upper"])
        self.assertEqual([e[1] for e in got["tag_to_events"]["loss/mean"]], [0, 1, 2, 3])

    def test_text(self):
        t = get_json("data/plugin/text/text", run="text", tag="notes")
        self.assertIn("<h1>Notes</h1>", t[0]["text"])
        t = get_json("data/plugin/text/text", run="tbx", tag="tbx/text")
        self.assertIn("hello from tensorboardX", t[0]["text"])


class TensorboardX(unittest.TestCase):
    def test_scalars_histograms_images(self):
        self.assertEqual(scalar_values("tbx", "tbx/loss")[4], (4, 0.4000000059604645))
        self.assertEqual([v for _, v in scalar_values("tbx/loss_val", "loss")], [1.5, 0.75, 0.5])
        h = get_json("data/plugin/histograms/histograms", run="tbx", tag="tbx/hist")
        self.assertEqual(h[0][2], [[0.0, 1.0, 1.0], [1.0, 2.0, 1.0], [2.0, 3.0, 2.0]])
        imgs = get_json("data/plugin/images/images", run="tbx", tag="tbx/image")
        self.assertEqual([i["step"] for i in imgs], [1])
        self.assertEqual(get("data/plugin/images/individualImage?" + imgs[0]["query"])[2][:4], b"\x89PNG")


class Awkward(unittest.TestCase):
    def test_restart_second_file_preempts(self):
        # Two event files in one run, the second going back to step 3: the Rust data
        # server's preemption drops steps >= 3 of the first file.
        self.assertEqual(scalar_values("awkward/restart", "loss"), [(0, 0.0), (1, 1.0), (2, 2.0), (3, 103.0), (4, 104.0)])

    def test_truncated_last_record(self):
        self.assertEqual([s for s, _ in scalar_values("awkward/truncated", "loss")], [0, 1, 2, 3])

    def test_zero_length_files(self):
        self.assertEqual(scalar_values("awkward/zero_length", "loss"), [(0, 1.0)])
        self.assertEqual(status_of("data/plugin/scalars/scalars", run="awkward/zero_length", tag="nope"), 404)

    def test_nested_three_levels(self):
        self.assertEqual(scalar_values("awkward/level1/level2/level3", "deep"), [(0, 3.0)])

    def test_odd_tag_names(self):
        tags = get_json("data/plugin/scalars/tags")["awkward/odd_tags"]
        for t in ["loss with spaces", "ünïcødé/λ", "a&b?c#d%e+f"]:
            self.assertIn(t, tags)
            self.assertEqual(len(scalar_values("awkward/odd_tags", t)), 3, t)

    def test_duplicate_and_backward_steps(self):
        self.assertEqual(scalar_values("awkward/odd_tags", "dup"), [(2, 2.0)])
        self.assertEqual(scalar_values("awkward/odd_tags", "back"), [(0, 0.0), (1, 11.0), (2, 12.0)])

    def test_loader_counts_the_damage(self):
        s = get_json("data/tblog/status")
        self.assertGreaterEqual(s["truncated_files"], 1)


class FrontEndRoutes(unittest.TestCase):
    """Routes stock TensorBoard's own front end calls beyond the per-dashboard ones."""

    def test_timeseries_tags(self):
        # metrics_plugin.py _tags_impl: runTagInfo per kind, images by tag then run.
        t = get_json("data/plugin/timeseries/tags")
        self.assertEqual(t["scalars"]["runTagInfo"]["keras/validation"],
                         ["epoch_accuracy", "epoch_loss", "evaluation_loss_vs_iterations"])
        self.assertEqual(t["histograms"]["runTagInfo"]["keras/train"], ["dense/bias/histogram", "dense/kernel/histogram"])
        self.assertEqual(t["images"]["tagRunSampledInfo"]["dense/kernel/image"], {"keras/train": {"maxSamplesPerStep": 1}})
        self.assertEqual(t["scalars"]["tagDescriptions"], {})

    def test_timeseries_series_and_image_data(self):
        reqs = [{"plugin": "scalars", "tag": "epoch_loss"},
                {"plugin": "histograms", "tag": "dense/bias/histogram", "run": "keras/train"},
                {"plugin": "images", "tag": "dense/kernel/image", "run": "keras/train", "sample": 0},
                {"plugin": "images", "tag": "dense/kernel/image", "run": "keras/train"},
                {"plugin": "nope", "tag": "x"}]
        data = urllib.parse.urlencode({"requests": json.dumps(reqs)}).encode()
        with urllib.request.urlopen(BASE + "data/plugin/timeseries/timeSeries", data=data, timeout=30) as r:
            out = json.loads(r.read())
        self.assertEqual(sorted(out[0]["runToSeries"]), ["hparams/session_1/train", "hparams/session_1/validation",
                                                         "hparams/session_2/train", "hparams/session_2/validation",
                                                         "hparams/session_3/train", "hparams/session_3/validation",
                                                         "keras/train", "keras/validation"])
        self.assertEqual(out[0]["runToSeries"]["keras/train"][1]["step"], 1)
        self.assertEqual(out[0]["runToSeries"]["keras/train"][1]["value"], 0.5)
        self.assertEqual(out[1]["runToSeries"]["keras/train"][0]["bins"], [{"min": -1.0, "max": -0.5, "count": 0.0}])
        self.assertEqual(out[2]["sample"], 0)
        ids = [e["imageId"] for e in out[2]["runToSeries"]["keras/train"]]
        self.assertEqual(len(ids), 5)
        self.assertEqual(out[3]["error"], "Missing sample")
        self.assertEqual(out[4]["error"], "Invalid plugin")
        status, ctype, body = get("data/plugin/timeseries/imageData", imageId=ids[0])
        self.assertEqual((status, ctype, body[:4]), (200, "image/png", b"\x89PNG"))
        self.assertEqual(status_of("data/plugin/timeseries/imageData", imageId="zz"), 400)

    def test_core_extras(self):
        self.assertEqual(get_json("data/experiments"), [])
        self.assertEqual(get_json("data/experiment_runs"), [])
        self.assertEqual(get_json("data/notifications"), {"notifications": []})
        self.assertIn("window_title", get_json("data/window_properties"))
        self.assertTrue(get_json("data/logdir")["logdir"].endswith("logs"))

    def test_custom_scalars_download_data(self):
        _, ctype, body = get("data/plugin/custom_scalars/download_data", run="custom_scalars", tag="loss/train", format="csv")
        self.assertEqual(ctype, "text/csv; charset=utf-8")
        self.assertEqual(body.decode().splitlines()[0], "Wall time,Step,Value")
        self.assertEqual(len(body.decode().splitlines()), 5)


if __name__ == "__main__":
    VIEW = sys.argv.pop(1)
    unittest.main(verbosity=2)
