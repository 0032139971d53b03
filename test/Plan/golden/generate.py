#!/usr/bin/env python3
"""Writes the golden tiny plans: one LLaMA block (vocab 16, hidden 8, 2 query
heads sharing 1 KV head of dim 4, FFN 16) at each level (fp, qann, is, if),
plus their shared tensor file. Deterministic; standard library only.

The plans are the reference examples of docs/PlanFormat.md. Re-run after a
deliberate format change:  python3 test/Plan/golden/generate.py
"""
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
V, D, H, HKV, DH, F = 16, 8, 2, 1, 4, 16
BITS, T = 6, 2


def tensors():
    rng = random.Random(7)

    def rand(*shape):
        n = 1
        for d in shape:
            n *= d
        return shape, [rng.uniform(-0.5, 0.5) for _ in range(n)]

    t = {
        "model.embed_tokens.weight": rand(V, D),
        "model.layers.0.input_layernorm.weight": ((D,), [1.0] * D),
        "model.layers.0.self_attn.q_proj.weight": rand(H * DH, D),
        "model.layers.0.self_attn.k_proj.weight": rand(HKV * DH, D),
        "model.layers.0.self_attn.v_proj.weight": rand(HKV * DH, D),
        "model.layers.0.self_attn.o_proj.weight": rand(D, H * DH),
        "model.layers.0.post_attention_layernorm.weight": ((D,), [1.0] * D),
        "model.layers.0.mlp.gate_proj.weight": rand(F, D),
        "model.layers.0.mlp.up_proj.weight": rand(F, D),
        "model.layers.0.mlp.down_proj.weight": rand(D, F),
        "model.norm.weight": ((D,), [1.0] * D),
    }
    for name in ["q_proj", "k_proj", "v_proj", "o_proj"]:
        w = t[f"model.layers.0.self_attn.{name}.weight"]
        t[f"model.layers.0.self_attn.{name}.weight_scale"] = per_channel(w)
    for name in ["gate_proj", "up_proj", "down_proj"]:
        w = t[f"model.layers.0.mlp.{name}.weight"]
        t[f"model.layers.0.mlp.{name}.weight_scale"] = per_channel(w)
    return t


def per_channel(w):
    (rows, cols), vals = w
    top = 2 ** (BITS - 1) - 1
    return (rows,), [max(abs(v) for v in vals[r * cols:(r + 1) * cols]) / top
                     for r in range(rows)]


def write_safetensors(path, ts):
    header, blobs, off = {}, [], 0
    for name in sorted(ts):
        shape, vals = ts[name]
        blob = struct.pack("<%df" % len(vals), *vals)
        header[name] = {"dtype": "F32", "shape": list(shape),
                        "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


class Graph:
    def __init__(self, level):
        self.level, self.ops, self.n = level, [], 0
        self.spiking = level in ("is", "if")

    def op(self, name, inputs, params=None, attrs=None, site=None):
        self.n += 1
        out = "v%d" % self.n
        o = {"op": name, "inputs": inputs, "outputs": [out]}
        if params:
            o["params"] = params
        if attrs:
            o["attrs"] = attrs
        if site:
            o["site"] = site
        self.ops.append(o)
        return out

    def act(self, x, site, scale, signed=True):
        """An activation quantizer (qann) or neuron (is/if) at `site`."""
        if self.level == "qann":
            return self.op("quantize", [x], attrs={"scale": [scale], "bits": BITS,
                                                   "signed": signed}, site=site)
        if not self.spiking:
            return x
        levels = -(-(2 ** BITS - 1) // T)
        alpha = 2 ** (BITS - 1) / T if signed else 0.0
        attrs = {"levels": levels, "alpha": alpha, "threshold": [scale],
                 "v0": [scale / 2], "budget": 2 ** BITS - 1}
        if self.level == "is":
            attrs["bits"] = BITS
            return self.op("is_neuron", [x], attrs=attrs, site=site)
        attrs["schedule"] = "integrate-then-fire"
        spikes = self.op("if_neuron", [x], attrs=attrs, site=site)
        return self.op("if_collect", [spikes], attrs={
            "levels": levels, "alpha": alpha, "threshold": [scale]})

    def nonlinear(self, fn, x, **kw):
        if self.spiking:
            attrs = {"fn": fn}
            params = None
            if fn == "rmsnorm":
                attrs["eps"] = kw["eps"]
                params = {"weight": kw["weight"]}
            if kw.get("causal"):
                attrs["causal"] = True
            return self.op("accum_map", [x], params=params, attrs=attrs)
        if fn == "rmsnorm":
            return self.op("rmsnorm", [x], params={"weight": kw["weight"]},
                           attrs={"eps": kw["eps"]})
        if fn == "softmax":
            return self.op("softmax", [x], attrs={"causal": True})
        return self.op(fn, [x])

    def linear(self, x, weight, quantized=True):
        params = {"weight": weight}
        attrs = None
        if quantized and self.level != "fp":
            params["weight_scale"] = weight + "_scale"
            attrs = {"weight_bits": BITS}
        return self.op("linear", [x], params=params, attrs=attrs)

    def matmul(self, a, b, transpose):
        name = "aa_matmul" if self.spiking else "matmul"
        return self.op(name, [a, b], attrs={"transpose_rhs": transpose})


def plan(level):
    g = Graph(level)
    p = "model.layers.0."
    x = g.op("embedding", ["tokens"], params={"table": "model.embed_tokens.weight"})
    if g.spiking:
        x = g.op("encode", [x])
    n = g.nonlinear("rmsnorm", x, weight=p + "input_layernorm.weight", eps=1e-5)
    n = g.act(n, "blk0.attn.norm", 0.05)
    q = g.op("split_heads", [g.linear(n, p + "self_attn.q_proj.weight")], attrs={"heads": H})
    k = g.op("split_heads", [g.linear(n, p + "self_attn.k_proj.weight")], attrs={"heads": HKV})
    v = g.op("split_heads", [g.linear(n, p + "self_attn.v_proj.weight")], attrs={"heads": HKV})
    q = g.act(g.op("rope", [q], attrs={"base": 10000.0}), "blk0.attn.q_rope", 0.04)
    k = g.act(g.op("rope", [k], attrs={"base": 10000.0}), "blk0.attn.k_rope", 0.04)
    v = g.act(v, "blk0.attn.v", 0.04)
    s = g.matmul(q, k, True)
    a = g.act(g.nonlinear("softmax", s, causal=True), "blk0.attn.softmax",
              1 / (2 ** BITS - 1), signed=False)
    o = g.op("merge_heads", [g.matmul(a, v, False)])
    o = g.act(o, "blk0.attn.o_in", 0.03)
    x = g.op("add", [x, g.linear(o, p + "self_attn.o_proj.weight")])
    n = g.nonlinear("rmsnorm", x, weight=p + "post_attention_layernorm.weight", eps=1e-5)
    n = g.act(n, "blk0.mlp.norm", 0.05)
    gate = g.nonlinear("silu", g.linear(n, p + "mlp.gate_proj.weight"))
    up = g.linear(n, p + "mlp.up_proj.weight")
    h = g.op("aa_mul" if g.spiking else "mul", [gate, up])
    h = g.act(h, "blk0.mlp.down_in", 0.02)
    x = g.op("add", [x, g.linear(h, p + "mlp.down_proj.weight")])
    x = g.nonlinear("rmsnorm", x, weight="model.norm.weight", eps=1e-5)
    if g.spiking:
        x = g.op("decode", [x])
    logits = g.op("linear", [x], params={"weight": "model.embed_tokens.weight"})
    g.ops[-1]["outputs"] = ["logits"]
    levels = -(-(2 ** BITS - 1) // T)
    return {
        "format": "spikec.plan",
        "version": 1,
        "producer": "test/Plan/golden/generate.py",
        "level": level,
        "time": {"timesteps": T if g.spiking else 1,
                 "substeps": levels if level == "if" else 1},
        "model": {"name": "tiny-llama-1block", "vocab_size": V,
                  "bos_token_id": 1, "eos_token_id": 2},
        "tensors": "tiny.safetensors",
        "inputs": ["tokens"],
        "outputs": ["logits"],
        "ops": g.ops,
    }


def main():
    write_safetensors(os.path.join(HERE, "tiny.safetensors"), tensors())
    for level in ("fp", "qann", "is", "if"):
        with open(os.path.join(HERE, "tiny-%s.plan.json" % level), "w") as f:
            json.dump(plan(level), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
