#!/usr/bin/python3
"""Dump TensorBoard event files (TFRecord of tensorboard.Event) as text.

Run with Debian's interpreter, which has python3-protobuf and numpy:

    /usr/bin/python3 tools/dump_events.py [options] PATH [PATH ...]

PATH is an event file or a directory (searched recursively for files whose
name contains "tfevents"; a projector_config.pbtxt found there is parsed and
printed too). The schema is compiled from ../proto with protoc into a
temporary directory at startup, so the dump always matches proto/.

Every record's length and data CRC32C are verified. Output is protobuf text
format. Unless --raw is given, nested payloads are decoded and printed as
pseudo-fields of the form `[decoded <message type>] { ... }`:
  * SummaryMetadata.plugin_data.content, by plugin_name (scalars, histograms,
    images, audio, text, pr_curves, hparams, mesh);
  * the custom-scalars Layout stored in the string tensor of
    "custom_scalars__config__";
  * Event.graph_def (GraphDef) and TaggedRunMetadata.run_metadata
    (RunMetadata);
  * TensorProto contents as numbers (`[values] { ... }`), incl. tensor_content
    and half_val.
Byte strings longer than --blob-limit are shortened in the display, with a
`# <field>: N bytes, crc32c 0x...` line giving the full size and checksum.

--check asserts, for every record, that re-serializing the parsed Event gives
exactly the record's bytes and that no message anywhere (Event, decoded plugin
contents, GraphDef, RunMetadata, Layout) has unknown fields; it exits 1 and
lists the offending records otherwise.
"""
import argparse
import glob
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "proto"))


# --------------------------------------------------------------------------
# schema: compile proto/ at startup


def _compile_schema():
    out = tempfile.mkdtemp(prefix="tblog_proto_")
    files = sorted(glob.glob(os.path.join(PROTO_DIR, "*.proto")))
    if not files:
        sys.exit("no .proto files in %s" % PROTO_DIR)
    cmd = ["protoc", "-I", PROTO_DIR, "--python_out=" + out] + files
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode != 0:
        sys.stderr.write(res.stderr.decode())
        sys.exit("protoc failed")
    sys.path.insert(0, out)
    return out


_TMP = _compile_schema()

# The pure-Python protobuf runtime keeps map entries in wire order (the C++
# runtime reorders them once Python touches a map), so re-serialization and
# the "wire order" notes below reflect the file. Speed is no concern here.
os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"

from google.protobuf import text_format  # noqa: E402
from google.protobuf.message import DecodeError  # noqa: E402
import numpy as np  # noqa: E402

import event_pb2  # noqa: E402
import graph_pb2  # noqa: E402
import run_metadata_pb2  # noqa: E402
import types_pb2  # noqa: E402
import plugin_scalar_pb2  # noqa: E402
import plugin_histogram_pb2  # noqa: E402
import plugin_image_pb2  # noqa: E402
import plugin_audio_pb2  # noqa: E402
import plugin_text_pb2  # noqa: E402
import plugin_pr_curve_pb2  # noqa: E402
import plugin_hparams_pb2  # noqa: E402
import plugin_mesh_pb2  # noqa: E402
import plugin_custom_scalar_pb2  # noqa: E402
import plugin_projector_pb2  # noqa: E402

shutil.rmtree(_TMP, ignore_errors=True)  # modules are loaded now

PLUGIN_CONTENT = {
    "scalars": plugin_scalar_pb2.ScalarPluginData,
    "histograms": plugin_histogram_pb2.HistogramPluginData,
    "images": plugin_image_pb2.ImagePluginData,
    "audio": plugin_audio_pb2.AudioPluginData,
    "text": plugin_text_pb2.TextPluginData,
    "pr_curves": plugin_pr_curve_pb2.PrCurvePluginData,
    "hparams": plugin_hparams_pb2.HParamsPluginData,
    "mesh": plugin_mesh_pb2.MeshPluginData,
}
CUSTOM_SCALARS_TAG = "custom_scalars__config__"

DT = types_pb2
NUMPY_DTYPE = {
    DT.DT_FLOAT: "<f4", DT.DT_DOUBLE: "<f8", DT.DT_INT32: "<i4",
    DT.DT_UINT8: "u1", DT.DT_INT16: "<i2", DT.DT_INT8: "i1",
    DT.DT_INT64: "<i8", DT.DT_BOOL: "?", DT.DT_UINT16: "<u2",
    DT.DT_HALF: "<f2", DT.DT_UINT32: "<u4", DT.DT_UINT64: "<u8",
    DT.DT_COMPLEX64: "<c8", DT.DT_COMPLEX128: "<c16",
}


# --------------------------------------------------------------------------
# TFRecord + CRC32C


def _crc32c_table():
    poly = 0x82F63B78
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    t = _CRC_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data):
    """One TFRecord: length, masked crc32c of the length, data, masked crc32c of the data
    (the one Python writer of the framing; tests and benchmarks that write records use it)."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data))


class RecordError(Exception):
    pass


def read_records(path):
    """Yields (offset, data) for each TFRecord; raises RecordError."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0
    while pos < len(buf):
        if len(buf) - pos < 12:
            raise RecordError("truncated header at offset %d" % pos)
        header = buf[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        if masked_crc(header) != len_crc:
            raise RecordError("bad length crc at offset %d" % pos)
        end = pos + 12 + length + 4
        if end > len(buf):
            raise RecordError("truncated record at offset %d" % pos)
        data = buf[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", buf[end - 4:end])
        if masked_crc(data) != data_crc:
            raise RecordError("bad data crc at offset %d" % pos)
        yield pos, data
        pos = end


# --------------------------------------------------------------------------
# checks


def has_unknown_fields(msg):
    """True if msg or any nested message carries unknown fields."""
    stripped = type(msg)()
    stripped.CopyFrom(msg)
    stripped.DiscardUnknownFields()
    return stripped.SerializeToString() != msg.SerializeToString()


class Checker:
    def __init__(self, enabled):
        self.enabled = enabled
        self.failures = []
        self.where = ""
        self.decoded = 0

    def parse(self, cls, data, what):
        """Parses bytes as cls; in check mode verifies exact round trip."""
        msg = cls()
        try:
            msg.ParseFromString(data)
        except DecodeError as e:
            self.fail("%s: cannot decode as %s: %s" % (what, cls.DESCRIPTOR.full_name, e))
            return None
        self.decoded += 1
        if self.enabled:
            if has_unknown_fields(msg):
                self.fail("%s: unknown fields in %s" % (what, cls.DESCRIPTOR.full_name))
            if msg.SerializeToString() != data:
                det = msg.SerializeToString(deterministic=True) == data
                self.fail("%s: re-serialized %s differs from the original bytes%s"
                          % (what, cls.DESCRIPTOR.full_name,
                             " (equal with deterministic map order)" if det else ""))
        return msg

    def fail(self, text):
        self.failures.append("%s: %s" % (self.where, text))

    def check_event(self, ev):
        """Decodes and checks every nested payload of an Event."""
        if ev.HasField("graph_def"):
            self.parse(graph_pb2.GraphDef, ev.graph_def, "graph_def")
        if ev.HasField("tagged_run_metadata"):
            self.parse(run_metadata_pb2.RunMetadata, ev.tagged_run_metadata.run_metadata,
                       "tagged_run_metadata")
        for v in ev.summary.value:
            pd = v.metadata.plugin_data
            cls = PLUGIN_CONTENT.get(pd.plugin_name)
            if cls is not None:
                self.parse(cls, pd.content, "%s: plugin_data.content(%s)" % (v.tag, pd.plugin_name))
            elif pd.content:
                self.fail("%s: no decoder for plugin %r" % (v.tag, pd.plugin_name))
            if is_custom_scalars(v):
                self.parse(plugin_custom_scalar_pb2.Layout, v.tensor.string_val[0],
                           "%s: custom_scalars layout" % v.tag)


def is_custom_scalars(v):
    return ((v.tag == CUSTOM_SCALARS_TAG or
             v.metadata.plugin_data.plugin_name == "custom_scalars") and
            len(v.tensor.string_val) == 1)


def decode(cls, data):
    """Parses bytes for display; returns (msg or None, error text)."""
    msg = cls()
    try:
        msg.ParseFromString(data)
    except DecodeError as e:
        return None, "# cannot decode as %s: %s" % (cls.DESCRIPTOR.full_name, e)
    return msg, None


# --------------------------------------------------------------------------
# printing


def _indent_block(text, indent):
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in text.splitlines())


def _varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _wire_fields(buf):
    """Yields (field number, wire type, value) of the top level of buf;
    value is bytes for length-delimited fields, else an int or raw bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        yield num, wt, val


def map_wire_order(msg, field):
    """Keys of map `field` in the order msg serializes them: with the
    pure-Python runtime that is the order they were parsed in."""
    keys = []
    for num, wt, val in _wire_fields(msg.SerializeToString()):
        if num != field.number or wt != 2:
            continue
        key = None
        for n2, w2, v2 in _wire_fields(val):
            if n2 == 1:
                key = v2.decode("utf-8", "replace") if w2 == 2 else v2
        keys.append(key if key is not None else "")
    return keys


def tensor_values(t):
    """Returns (numpy array or list, note) for a TensorProto, or None."""
    shape = [d.size for d in t.tensor_shape.dim]
    n = int(np.prod(shape)) if shape else 1
    if t.dtype == DT.DT_STRING:
        return None  # string_val is already readable in text format
    if t.tensor_content:
        npdt = NUMPY_DTYPE.get(t.dtype)
        if npdt is None:
            return None
        arr = np.frombuffer(t.tensor_content, dtype=npdt)
        if arr.size == n:
            arr = arr.reshape(shape)
        return arr, "from tensor_content"
    typed = {DT.DT_FLOAT: t.float_val, DT.DT_DOUBLE: t.double_val,
             DT.DT_INT32: t.int_val, DT.DT_INT16: t.int_val, DT.DT_INT8: t.int_val,
             DT.DT_UINT8: t.int_val, DT.DT_UINT16: t.int_val, DT.DT_INT64: t.int64_val,
             DT.DT_BOOL: t.bool_val, DT.DT_UINT32: t.uint32_val,
             DT.DT_UINT64: t.uint64_val}.get(t.dtype)
    if typed is not None and len(typed):
        # typed lists print fine already; reshape only when it adds something
        if len(typed) == n and len(shape) >= 2:
            npdt = NUMPY_DTYPE.get(t.dtype)
            return np.array(list(typed), dtype=npdt).reshape(shape), "from typed list"
        if len(typed) == 1 and n != 1:
            return (np.full(shape, typed[0], dtype=NUMPY_DTYPE.get(t.dtype)),
                    "single typed value broadcast")
        if len(typed) != n:
            return None
        return None
    if t.dtype in (DT.DT_HALF, DT.DT_BFLOAT16) and len(t.half_val):
        bits = np.array(t.half_val, dtype=np.uint32)
        if t.dtype == DT.DT_HALF:
            arr = bits.astype(np.uint16).view(np.float16)
        else:
            arr = (bits << 16).astype(np.uint32).view(np.float32)
        return (arr.reshape(shape) if arr.size == n else arr), "from half_val"
    return None


class Printer:
    def __init__(self, args):
        self.raw = args.raw
        self.blob_limit = args.blob_limit
        self.array_limit = args.array_limit
        self._skip = None

    # text_format hook: returns the body of a message, or None for default
    def _formatter(self, msg, indent, as_one_line):
        if msg is self._skip:
            self._skip = None
            return None
        extra = []
        name = msg.DESCRIPTOR.full_name
        shown = msg

        # shorten long byte strings for display
        long_bytes = []
        if self.blob_limit > 0:
            for field, value in msg.ListFields():
                if field.type != field.TYPE_BYTES:
                    continue
                if field.label == field.LABEL_REPEATED:
                    if any(len(v) > self.blob_limit for v in value):
                        long_bytes.append((field, [bytes(v) for v in value]))
                elif len(value) > self.blob_limit:
                    long_bytes.append((field, [bytes(value)]))
        if long_bytes:
            shown = type(msg)()
            shown.CopyFrom(msg)
            for field, values in long_bytes:
                for i, v in enumerate(values):
                    if len(v) > self.blob_limit:
                        extra.append("# %s%s: %d bytes, crc32c 0x%08x (display cut to %d)"
                                     % (field.name, "[%d]" % i if len(values) > 1 else "",
                                        len(v), crc32c(v), self.blob_limit))
                if field.label == field.LABEL_REPEATED:
                    rep = getattr(shown, field.name)
                    del rep[:]
                    rep.extend(v[:self.blob_limit] for v in values)
                else:
                    setattr(shown, field.name, values[0][:self.blob_limit])

        # text format prints map entries sorted by key: note the wire order
        for field, value in msg.ListFields():
            if field.message_type is not None and field.message_type.GetOptions().map_entry \
                    and len(value) > 1:
                order = map_wire_order(msg, field)
                if order != sorted(order):
                    extra.append("# wire order of %s keys: %s" % (field.name, ", ".join(
                        '"%s"' % k if isinstance(k, str) else str(k) for k in order)))

        if not self.raw:
            extra.extend(self._decoded_lines(msg, name))

        if shown is msg and not extra:
            return None
        body = self.to_text(shown, indent, skip_top=True)
        lines = body.splitlines() + [" " * indent + e for e in
                                     "\n".join(extra).splitlines()]
        return "\n".join(lines).lstrip(" ") if lines else None

    def _decoded(self, cls, data):
        sub, err = decode(cls, data)
        if sub is None:
            return [err]
        label = cls.DESCRIPTOR.full_name
        text = self.to_text(sub, 2)
        return ["[decoded %s] {" % label] + text.splitlines() + ["}"]

    def _decoded_lines(self, msg, name):
        if name == "tensorboard.SummaryMetadata.PluginData":
            cls = PLUGIN_CONTENT.get(msg.plugin_name)
            if cls is None:
                return ["# no decoder for plugin %r content" % msg.plugin_name] if msg.content else []
            if not msg.content:
                return ["# content empty: default %s" % cls.DESCRIPTOR.full_name]
            return self._decoded(cls, msg.content)
        if name == "tensorboard.Summary.Value":
            if is_custom_scalars(msg):
                return self._decoded(plugin_custom_scalar_pb2.Layout, msg.tensor.string_val[0])
            return []
        if name == "tensorboard.TensorProto":
            got = tensor_values(msg)
            if got is None:
                return []
            arr, note = got
            text = np.array2string(np.asarray(arr), threshold=self.array_limit,
                                   max_line_width=100, separator=", ",
                                   floatmode="unique")
            lines = ["[values] {  # %s, %s, shape %s" % (
                note, DT.DataType.Name(msg.dtype), list(np.shape(arr)))]
            lines += ["  " + ln for ln in text.splitlines()]
            return lines + ["}"]
        if name == "tensorboard.Event":
            if msg.HasField("graph_def"):
                return self._decoded(graph_pb2.GraphDef, msg.graph_def)
            return []
        if name == "tensorboard.TaggedRunMetadata":
            return self._decoded(run_metadata_pb2.RunMetadata, msg.run_metadata)
        return []

    def to_text(self, msg, indent=0, skip_top=False):
        if skip_top:
            self._skip = msg
        return text_format.MessageToString(
            msg, indent=indent, message_formatter=self._formatter,
            use_short_repeated_primitives=True, print_unknown_fields=True).rstrip("\n")


# --------------------------------------------------------------------------


def find_files(path):
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files):
                if "tfevents" in f or f == "projector_config.pbtxt":
                    found.append(os.path.join(root, f))
        return found
    return [path]


def dump_projector(path, printer, out):
    cfg = plugin_projector_pb2.ProjectorConfig()
    with open(path) as f:
        text_format.Parse(f.read(), cfg)
    out.write("=== %s (tensorboard.projector.ProjectorConfig) ===\n" % path)
    out.write(printer.to_text(cfg) + "\n\n")


def dump_file(path, args, printer, checker, out):
    out.write("=== %s ===\n" % path)
    n = 0
    try:
        for offset, data in read_records(path):
            checker.where = "%s#%d@%d" % (path, n, offset)
            ev = checker.parse(event_pb2.Event, data, "event")
            n += 1
            if ev is None:
                continue
            checker.check_event(ev)
            if args.summary_only and not ev.HasField("summary"):
                continue
            out.write("# record %d (offset %d, %d bytes)\n" % (n - 1, offset, len(data)))
            out.write(printer.to_text(ev) + "\n\n")
    except RecordError as e:
        checker.where = path
        checker.fail(str(e))
    except OSError as e:
        checker.where = path
        checker.fail(str(e))
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="event files or directories")
    ap.add_argument("--raw", action="store_true",
                    help="no nested decoding (plugin content, graph, run metadata, tensor values)")
    ap.add_argument("--summary-only", action="store_true",
                    help="print only events that carry a Summary")
    ap.add_argument("--check", action="store_true",
                    help="assert exact re-serialization and no unknown fields anywhere")
    ap.add_argument("--blob-limit", type=int, default=64, metavar="N",
                    help="show at most N bytes of each byte string (0: all; default 64)")
    ap.add_argument("--array-limit", type=int, default=1000, metavar="N",
                    help="summarize decoded tensors with more than N elements (default 1000)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`

    checker = Checker(args.check)
    printer = Printer(args)
    out = sys.stdout
    files = []
    for p in args.paths:
        files.extend(find_files(p))
    if not files:
        sys.exit("no event files found")
    total = 0
    for path in files:
        if path.endswith(".pbtxt"):
            checker.where = path
            try:
                dump_projector(path, printer, out)
            except Exception as e:  # text_format.ParseError, OSError
                checker.fail("cannot parse projector config: %s" % e)
            continue
        total += dump_file(path, args, printer, checker, out)
    out.flush()
    sys.stderr.write("dump_events: %d file(s), %d record(s), %d message(s) decoded%s\n"
                     % (len(files), total, checker.decoded,
                        ", check on" if args.check else ""))
    if checker.failures:
        for f in checker.failures:
            sys.stderr.write("FAIL " + f + "\n")
        sys.stderr.write("dump_events: %d failure(s)\n" % len(checker.failures))
        return 1
    if args.check:
        sys.stderr.write("dump_events: check passed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
