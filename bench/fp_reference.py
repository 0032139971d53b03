#!/usr/bin/env python3
"""Independent FP reference for the imported SmolLM2 (issue: import).

A numpy LLaMA forward written directly on llama.cpp's GGUF conventions
(weights read and dequantized by llama.cpp's `gguf` package; Q and K left in
GGUF's permuted row order with RoPE on adjacent pairs, as llama.cpp does),
so it shares no code and no convention with spikec's importer (which
un-permutes to Hugging Face order and rotates pairs (i, i + d/2)).

It writes next-token logits for a few prompts and the perplexity of the
first N tokens of WikiText-2 test (non-overlapping chunks), tokenized by the
Hugging Face `tokenizers` library from the GGUF vocabulary.

    pip install numpy gguf tokenizers
    python3 bench/fp_reference.py --gguf M.gguf --text test.txt --out DIR
"""
import argparse
import json
import os
import struct
import time

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize


def load(path):
    r = GGUFReader(path)
    f = r.fields

    def scalar(name):
        fld = f[name]
        return fld.parts[fld.data[0]][0]

    def strings(name):
        fld = f[name]
        return [bytes(fld.parts[i]).decode("utf-8") for i in fld.data]

    cfg = dict(
        layers=int(scalar("llama.block_count")),
        hidden=int(scalar("llama.embedding_length")),
        heads=int(scalar("llama.attention.head_count")),
        kv=int(scalar("llama.attention.head_count_kv")),
        eps=float(scalar("llama.attention.layer_norm_rms_epsilon")),
        base=float(scalar("llama.rope.freq_base")),
    )
    w = {}
    for t in r.tensors:
        a = dequantize(t.data, t.tensor_type).astype(np.float32)
        w[t.name] = a.reshape([int(d) for d in reversed(t.shape)])
    vocab = strings("tokenizer.ggml.tokens")
    merges = strings("tokenizer.ggml.merges")
    types = [int(f["tokenizer.ggml.token_type"].parts[i][0])
             for i in f["tokenizer.ggml.token_type"].data]
    return cfg, w, vocab, merges, types


def hf_tokenizer(vocab, merges, types):
    from tokenizers import Tokenizer
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False,
              "rstrip": False, "normalized": False, "special": True}
             for i, t in enumerate(vocab) if types[i] == 3]
    spec = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False,
             "trim_offsets": True, "use_regex": True}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True,
                    "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False,
                  "vocab": {t: i for i, t in enumerate(vocab)},
                  "merges": merges}}
    return Tokenizer.from_str(json.dumps(spec))


def rms(x, g, eps):
    return g * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))


def rope_adjacent(x, base):
    """llama.cpp's normal RoPE mode: rotates adjacent pairs (2i, 2i + 1)."""
    s, h, d = x.shape
    inv = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    ang = np.arange(s)[:, None] * inv[None, :]
    cos = np.cos(ang)[:, None, :].astype(np.float32)
    sin = np.sin(ang)[:, None, :].astype(np.float32)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x0 * cos - x1 * sin
    out[..., 1::2] = x0 * sin + x1 * cos
    return out


def forward(cfg, w, ids):
    d, h, kv = cfg["hidden"], cfg["heads"], cfg["kv"]
    hd = d // h
    x = w["token_embd.weight"][ids]
    s = len(ids)
    mask = np.triu(np.full((s, s), -np.inf, dtype=np.float32), 1)
    for i in range(cfg["layers"]):
        p = "blk.%d." % i
        n = rms(x, w[p + "attn_norm.weight"], cfg["eps"])
        q = (n @ w[p + "attn_q.weight"].T).reshape(s, h, hd)
        k = (n @ w[p + "attn_k.weight"].T).reshape(s, kv, hd)
        v = (n @ w[p + "attn_v.weight"].T).reshape(s, kv, hd)
        q, k = rope_adjacent(q, cfg["base"]), rope_adjacent(k, cfg["base"])
        rep = h // kv
        k = np.repeat(k, rep, axis=1)
        v = np.repeat(v, rep, axis=1)
        sc = np.einsum("shd,thd->hst", q, k) / np.sqrt(hd) + mask
        sc = np.exp(sc - sc.max(-1, keepdims=True))
        sc /= sc.sum(-1, keepdims=True)
        o = np.einsum("hst,thd->shd", sc, v).reshape(s, d)
        x = x + o @ w[p + "attn_output.weight"].T
        n = rms(x, w[p + "ffn_norm.weight"], cfg["eps"])
        g = n @ w[p + "ffn_gate.weight"].T
        u = n @ w[p + "ffn_up.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * u) @ w[p + "ffn_down.weight"].T
    x = rms(x, w["output_norm.weight"], cfg["eps"])
    head = w.get("output.weight", w["token_embd.weight"])
    return x @ head.T


def write_safetensors(path, name, a):
    a = np.ascontiguousarray(a, dtype=np.float32)
    header = json.dumps({name: {"dtype": "F32", "shape": list(a.shape),
                                "data_offsets": [0, a.nbytes]}})
    header += " " * ((8 - (8 + len(header)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header.encode() + a.tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--seq-len", type=int, default=512)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cfg, w, vocab, merges, types = load(args.gguf)
    tok = hf_tokenizer(vocab, merges, types)
    prompts = ["The capital of France is",
               "In 1905, Albert Einstein published",
               "def fibonacci(n):"]
    report = {"prompts": []}
    for i, prompt in enumerate(prompts):
        ids = tok.encode(prompt).ids
        logits = forward(cfg, w, np.array(ids))
        write_safetensors(os.path.join(args.out, "prompt%d.logits" % i),
                          "logits", logits)
        report["prompts"].append({"text": prompt, "ids": ids,
                                  "argmax": logits.argmax(-1).tolist()})
    ids = tok.encode(open(args.text).read()).ids[:args.tokens]
    nll, count, start = 0.0, 0, time.time()
    for c in range(len(ids) // args.seq_len):
        chunk = np.array(ids[c * args.seq_len:(c + 1) * args.seq_len])
        logits = forward(cfg, w, chunk).astype(np.float64)
        logits -= logits.max(-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        nll -= logp[np.arange(len(chunk) - 1), chunk[1:]].sum()
        count += len(chunk) - 1
    report.update(tokens=len(ids) // args.seq_len * args.seq_len,
                  seq_len=args.seq_len, perplexity=float(np.exp(nll / count)),
                  seconds=time.time() - start)
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
