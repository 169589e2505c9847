#!/usr/bin/python3
"""Builds fuzz/corpus/<target>/ from the golden logdir (PyTorch's own event files).

    fuzz/make_seed_corpus.py [golden dir]   (default: ../shared/reference/pytorch; Debian python3)

record_reader: the head of every event file; ingest: the first records of every event file,
each as u32 length + bytes (the target's input format); markdown: the text of every text
summary; projector_config: the projector config and TSV tensors (first byte 0 / 1 selects).
Seeds are capped at 16 KiB so that fuzzing spends its time mutating, not reading. The output
is deterministic: rerunning it on the same logdir rewrites the same files.
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import dump_events  # noqa: E402  (its TFRecord and wire-format readers)
MAX_SEED = 16 << 10


MARKDOWN_SAMPLES = [
    "# Title\n\nSome *emphasis*, **strong**, `code` and a [link](http://x.org \"t\").\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n| <x> | &amp; |\n",
    "- one\n- two\n  * nested\n\n1. first\n2. second\n",
    "> quote\n> more\n\n    indented code\n\n```python\nfenced <b>\n```\n",
    "Setext\n======\n\n---\n\n![img](a.png) <http://auto.link> line  \nbreak\n",
    "<script>alert(1)</script> [x](javascript:alert(1)) ![y](data:x)\n",
]


def records(path):
    for _, data in dump_events.read_records(path):
        yield data


def fields(b):
    """(field number, wire type, value) of a serialized message; stops at garbage."""
    try:
        yield from dump_events._wire_fields(b)
    except (IndexError, ValueError):
        return


def texts(event):
    # Event.summary(5) -> Summary.value(1) -> Value.tensor(8) -> TensorProto.string_val(8)
    for f, wt, summary in fields(event):
        if f != 5 or wt != 2:
            continue
        for f2, wt2, value in fields(summary):
            if f2 != 1 or wt2 != 2:
                continue
            for f3, wt3, tensor in fields(value):
                if f3 == 8 and wt3 == 2:
                    for f4, wt4, s in fields(tensor):
                        if f4 == 8 and wt4 == 2:
                            yield s


def main():
    golden = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "reference", "pytorch")
    out = {t: {} for t in ("record_reader", "ingest", "markdown", "projector_config")}

    def add(target, data):
        data = data[:MAX_SEED]
        out[target][hashlib.sha1(data).hexdigest()[:16]] = data

    for root, _, files in sorted(os.walk(golden)):
        for name in sorted(files):
            path = os.path.join(root, name)
            if ".tfevents." in name:
                add("record_reader", open(path, "rb").read())
                chunk = b""
                for rec in records(path):
                    if len(chunk) + 4 + len(rec) > MAX_SEED:
                        break
                    chunk += struct.pack("<I", len(rec)) + rec
                    for t in texts(rec):
                        add("markdown", t)
                add("ingest", chunk)
                for rec in list(records(path))[:3]:
                    add("ingest", rec)
            elif name == "projector_config.pbtxt":
                add("projector_config", b"\x00" + open(path, "rb").read())
            elif name == "tensors.tsv":
                add("projector_config", b"\x01" + open(path, "rb").read())
    # Markdown constructs the renderer knows, beside the golden texts (which are plain).
    for md in MARKDOWN_SAMPLES:
        add("markdown", md.encode())
    for target, seeds in out.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        for h, data in sorted(seeds.items()):
            with open(os.path.join(d, h), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
