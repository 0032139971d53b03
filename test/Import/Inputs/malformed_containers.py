#!/usr/bin/env python3
"""The GGUF and safetensors malformation corpus (issue #20).

Writes a small valid file of each format, then one variant per fault: each
header field given another type or an out-of-range value, bad and
overlapping data ranges, misaligned offsets, truncation at every header
field, big-endian byte order. Runs a reading command on each and checks:

  a refused file: non-zero exit, exactly one stderr line, naming the file
                  and containing the expected words, and no output file;
  an accepted one (the same file spelled another legal way, e.g. the
                  alignment key as INT32): exit 0 and the right tensor
                  values in the output.

  malformed_containers.py DIR --gguf-cmd 'spike-run gguf {} --out {out}'
      --safetensors-cmd 'spike-run diff {} {ref}'

Prints one line per failing case and a final "N cases ok" or "N wrong".
"""
import argparse
import json
import os
import struct
import subprocess
import sys

U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
PACK = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i",
        F32: "<f", BOOL: "<B", U64: "<Q", I64: "<q", F64: "<d"}


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_value(vtype, value):
    if vtype == STR:
        return gguf_string(value)
    if vtype == ARR:
        etype, items = value
        return (struct.pack("<IQ", etype, len(items)) +
                b"".join(gguf_value(etype, v) for v in items))
    if vtype not in PACK:  # a type GGUF does not define: 4 bytes of value
        return struct.pack("<I", value)
    return struct.pack(PACK[vtype], value)


class Gguf:
    """A GGUF v3 file of F32 tensors, every field settable."""

    def __init__(self):
        self.magic = b"GGUF"
        self.version = 3
        self.kv = [("general.architecture", STR, "llama"),
                   ("general.alignment", U32, 64)]
        self.alignment = 64
        # name -> (shape, values, offset or None for the natural layout)
        self.tensors = [("a.weight", [16], [100 + i for i in range(16)]),
                        ("b.weight", [4, 4], [200 + i for i in range(16)]),
                        ("c.weight", [16], [300 + i for i in range(16)])]
        self.offsets = None
        self.ggml_type = 0  # F32
        self.endian = "<"

    def build(self):
        e = self.endian
        out = self.magic + struct.pack(e + "I", self.version)
        out += struct.pack(e + "QQ", len(self.tensors), len(self.kv))
        for key, vtype, value in self.kv:
            out += gguf_string(key) + struct.pack("<I", vtype)
            out += gguf_value(vtype, value)
        offsets, at = [], 0
        for name, shape, values in self.tensors:
            offsets.append(at)
            at += 4 * len(values)
            at = (at + self.alignment - 1) // self.alignment * self.alignment
        if self.offsets is not None:
            offsets = self.offsets
        for (name, shape, values), off in zip(self.tensors, offsets):
            out += gguf_string(name) + struct.pack("<I", len(shape))
            for d in reversed(shape):  # ggml order: fastest first
                out += struct.pack("<Q", d)
            out += struct.pack("<IQ", self.ggml_type, off)
        out += b"\0" * ((-len(out)) % self.alignment)
        data = bytearray()
        for (name, shape, values), off in zip(self.tensors, offsets):
            need = off + 4 * len(values)
            if need > 1 << 16:  # a range beyond the file: no data for it
                continue
            if len(data) < need:
                data += b"\0" * (need - len(data))
            data[off:need] = struct.pack("<%df" % len(values), *values)
        return out + bytes(data)


def safetensors(entries, data, header_len=None, raw_header=None):
    header = raw_header if raw_header is not None else json.dumps(entries)
    hb = header.encode()
    n = len(hb) if header_len is None else header_len
    return struct.pack("<Q", n) + hb + data


def st_base():
    a = struct.pack("<4f", 1, 2, 3, 4)
    b = struct.pack("<2f", 5, 6)
    entries = {"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
               "b": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]}}
    return entries, a + b


def gguf_cases():
    """(name, bytes, expected words or None, expected tensors or None)."""
    cases = []
    g = Gguf()
    right = {"a.weight": [100 + i for i in range(16)],
             "b.weight": [200 + i for i in range(16)],
             "c.weight": [300 + i for i in range(16)]}
    cases.append(("valid", g.build(), None, right))
    # The alignment key in every integer type is read as what it says.
    for t in (U8, I8, U16, I16, U32, I32, U64, I64):
        g = Gguf()
        g.kv[1] = ("general.alignment", t, 64)
        cases.append(("alignment-type-%d" % t, g.build(), None, right))
    # Other types: refused, naming key and type.
    for t, v, name in ((F32, 64.0, "FLOAT32"), (STR, "64", "STRING"),
                       (BOOL, 1, "BOOL"), (F64, 64.0, "FLOAT64"),
                       (ARR, (U32, [64]), "ARRAY")):
        g = Gguf()
        g.kv[1] = ("general.alignment", t, v)
        cases.append(("alignment-as-%s" % name, g.build(),
                      "'general.alignment' has type %s" % name, None))
    for v, words in ((0, "not a power of two"), (48, "not a power of two"),
                     (1 << 40, "past the end of the file")):
        g = Gguf()
        g.kv[1] = ("general.alignment", U64, v)
        cases.append(("alignment-%d" % v, g.build(), words, None))
    g = Gguf()
    g.kv[1] = ("general.alignment", I32, -64)
    cases.append(("alignment-negative", g.build(), "not a power of two", None))
    # Header fields out of range.
    g = Gguf()
    g.magic = b"GGUX"
    cases.append(("magic", g.build(), "bad magic", None))
    for v in (1, 4, 0xffffffff):
        g = Gguf()
        g.version = v
        cases.append(("version-%d" % v, g.build(),
                      "unsupported GGUF version", None))
    g = Gguf()
    g.endian = ">"
    cases.append(("big-endian", g.build(), "big-endian GGUF", None))
    base = Gguf().build()
    counts = bytearray(base)
    struct.pack_into("<Q", counts, 8, 1 << 60)
    cases.append(("tensor-count", bytes(counts), "implausible", None))
    counts = bytearray(base)
    struct.pack_into("<Q", counts, 16, 1 << 60)
    cases.append(("key-count", bytes(counts), "implausible", None))
    g = Gguf()
    g.kv.append(("general.name", 13, 0))
    cases.append(("value-type", g.build(), "unknown metadata value type 13",
                  None))
    g = Gguf()
    g.kv.append(("general.tags", ARR, (ARR, [])))
    cases.append(("nested-array", g.build(), "nested metadata arrays", None))
    g = Gguf()
    g.kv.append(("general.sizes", ARR, (U64, [1, 1 << 63])))
    cases.append(("array-u64-range", g.build(), "exceeds the int64 range",
                  None))
    g = Gguf()
    g.kv.append(("general.architecture", STR, "llama"))
    cases.append(("duplicate-key", g.build(),
                  "'general.architecture' appears twice", None))
    # A string length beyond the file.
    g = Gguf()
    g.kv.append(("general.name", STR, "x"))
    raw = bytearray(g.build())
    at = raw.find(b"general.name") + len("general.name") + 4
    struct.pack_into("<Q", raw, at, 1 << 50)
    cases.append(("string-length", bytes(raw), "exceeds the file", None))
    # Tensor infos.
    g = Gguf()
    g.ggml_type = 99
    cases.append(("ggml-type", g.build(), "unsupported ggml type 99", None))
    g = Gguf()
    g.tensors[1] = ("b.weight", [4, 4, 1, 1, 1], g.tensors[1][2])
    cases.append(("dims", g.build(), "5 dimensions", None))
    g = Gguf()
    g.tensors[0] = ("a.weight", [0], [])
    cases.append(("zero-dim", g.build(), "invalid dimension 0", None))
    # Dimensions whose product overflows int64 (found by fuzz-gguf).
    g = Gguf()
    g.tensors[1] = ("b.weight", [1 << 36, 1 << 33], g.tensors[1][2])
    cases.append(("dims-overflow", g.build(), "too many elements", None))
    g = Gguf()
    g.tensors.append(("a.weight", [16], [1] * 16))
    cases.append(("duplicate-tensor", g.build(), "duplicate tensor 'a.weight'",
                  None))
    # Data ranges: overlap, misalignment, beyond the end.
    g = Gguf()
    g.offsets = [0, 0, 128]
    cases.append(("overlap", g.build(),
                  "tensors 'a.weight' and 'b.weight' overlap", None))
    g = Gguf()
    g.offsets = [0, 96, 160]
    cases.append(("misaligned", g.build(),
                  "offset 96 is not a multiple of general.alignment", None))
    g = Gguf()
    g.offsets = [0, 64, 1 << 20]
    cases.append(("beyond-end", g.build(), "beyond the end of the file",
                  None))
    g = Gguf()
    g.offsets = [0, 64, (1 << 64) - 64]
    cases.append(("offset-wraps", g.build(), "beyond the end of the file",
                  None))
    # Truncation at every 8th byte of the header and inside the data.
    full = Gguf().build()
    header_end = len(full) - 3 * 64
    for cut in list(range(0, header_end, 8)) + [len(full) - 10]:
        cases.append(("truncated-%d" % cut, full[:cut], None, "refused"))
    return cases


def st_cases():
    cases = []
    e, d = st_base()
    right = {"a": [1, 2, 3, 4], "b": [5, 6]}
    cases.append(("valid", safetensors(e, d), None, right))

    def edit(name, fn, words):
        e, d = st_base()
        e = json.loads(json.dumps(e))
        d = fn(e, d)
        cases.append((name, safetensors(e, d), words, None))

    edit("overlap", lambda e, d: (e["b"].update(data_offsets=[8, 16]) or
                                  e["b"].update(shape=[2])) or d[:16],
         "tensors 'a' and 'b' overlap")
    edit("hole", lambda e, d: (e["b"].update(data_offsets=[20, 28])) or
         d + b"\0" * 4, "belong to no tensor")
    edit("trailing", lambda e, d: d + b"\0" * 8, "belong to no tensor")
    edit("reversed", lambda e, d: e["b"].update(data_offsets=[24, 16]) or d,
         "outside the data section")
    edit("beyond", lambda e, d: e["b"].update(data_offsets=[16, 4096]) or d,
         "outside the data section")
    edit("size", lambda e, d: e["b"].update(shape=[3]) or d,
         "does not match shape and dtype")
    edit("dtype", lambda e, d: e["b"].update(dtype="F12") or d,
         "unknown dtype")
    edit("dtype-type", lambda e, d: e["b"].update(dtype=4) or d,
         "unknown dtype")
    edit("shape-negative", lambda e, d: e["b"].update(shape=[-2]) or d,
         "negative or non-integer dimension")
    edit("shape-type", lambda e, d: e["b"].update(shape="2") or d,
         "shape is not an array")
    edit("offsets-type", lambda e, d: e["b"].update(data_offsets=[16.0, 24])
         or d, "data_offsets must be two non-negative integers")
    edit("offsets-negative", lambda e, d: e["b"].update(data_offsets=[-8, 24])
         or d, "data_offsets must be two non-negative integers")
    edit("missing-field", lambda e, d: e["b"].pop("dtype") and d,
         "needs dtype, shape and data_offsets")
    edit("metadata", lambda e, d: e.update(__metadata__={"k": 1}) or d,
         "__metadata__ value 'k' is not a string")
    e, d = st_base()
    cases.append(("header-length", safetensors(e, d, header_len=1 << 40),
                  "exceeds file size", None))
    cases.append(("not-json", safetensors(e, d, raw_header="{nope"),
                  "malformed JSON", None))
    cases.append(("not-object", safetensors(e, d, raw_header="[1, 2]"),
                  "not a JSON object", None))
    text = json.dumps(e)
    dup = text[:-1] + ', "a": ' + json.dumps(e["a"]) + "}"
    cases.append(("duplicate-tensor", safetensors(e, d, raw_header=dup),
                  "duplicate", None))
    deep = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"
    cases.append(("deep", safetensors(e, d, raw_header=deep), "nest", None))
    full = safetensors(e, d)
    for cut in (0, 4, 7, 12, 40, len(full) - 4):
        cases.append(("truncated-%d" % cut, full[:cut], None, "refused"))
    return cases


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack_from("<Q", raw)[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        chunk = raw[8 + n + b:8 + n + e]
        out[name] = list(struct.unpack("<%df" % (len(chunk) // 4), chunk))
    return out


def run(cmd, path, out, ref):
    argv = [a.replace("{}", path).replace("{out}", out).replace("{ref}", ref)
            for a in cmd.split()]
    return subprocess.run(argv, capture_output=True, text=True,
                          errors="replace")


def check(kind, cases, cmd, folder, ref):
    wrong = 0
    for name, data, words, expect in cases:
        path = os.path.join(folder, "%s-%s.%s" % (kind, name, kind))
        out = os.path.join(folder, "out-%s-%s.safetensors" % (kind, name))
        with open(path, "wb") as f:
            f.write(data)
        p = run(cmd, path, out, ref)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        problem = None
        if isinstance(expect, dict):  # accepted, with these values
            if p.returncode != 0:
                problem = "refused: " + " | ".join(lines)
            elif "{out}" in cmd:
                got = read_safetensors(out)
                if got != expect:
                    problem = "wrong values %s" % json.dumps(got)[:200]
        else:
            if p.returncode == 0:
                problem = "accepted"
            elif p.returncode < 0 or p.returncode >= 128:
                problem = "crashed (%d)" % p.returncode
            elif len(lines) != 1:
                problem = "%d error lines: %s" % (len(lines),
                                                   " | ".join(lines)[:300])
            elif os.path.basename(path) not in lines[0]:
                problem = "error does not name the file: " + lines[0]
            elif words and words not in lines[0]:
                problem = "error lacks '%s': %s" % (words, lines[0])
            elif os.path.exists(out):
                problem = "left an output file"
        if problem:
            wrong += 1
            print("%s %s: %s" % (kind, name, problem))
    return wrong, len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--gguf-cmd", required=True)
    ap.add_argument("--safetensors-cmd", required=True)
    args = ap.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    e, d = st_base()
    ref = os.path.join(args.folder, "reference.safetensors")
    with open(ref, "wb") as f:
        f.write(safetensors(e, d))
    w1, n1 = check("gguf", gguf_cases(), args.gguf_cmd, args.folder, ref)
    w2, n2 = check("safetensors", st_cases(), args.safetensors_cmd,
                   args.folder, ref)
    wrong = w1 + w2
    print("%d cases %s" % (n1 + n2, "ok" if not wrong else "%d wrong" % wrong))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
