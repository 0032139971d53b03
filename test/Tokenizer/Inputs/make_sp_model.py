#!/usr/bin/env python3
"""Writes a tiny SentencePiece BPE tokenizer.model (the ModelProto wire
format by hand: no sentencepiece package needed): <unk>, <s>, </s>, the
256 <0xNN> byte pieces, and a few normal pieces with descending scores;
byte fallback on, identity normalizer with a dummy prefix. A seed for the
tokenizer.model fuzzer and a small reader test.

  make_sp_model.py OUT.model
"""
import struct
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 2:
        return key + varint(len(payload)) + payload
    if wire == 5:
        return key + payload
    raise ValueError(wire)


def piece(text, score, kind):
    return field(1, 2, field(1, 2, text.encode()) +
                 field(2, 5, struct.pack("<f", score)) + field(3, 0, kind))


NORMAL, UNKNOWN, CONTROL, BYTE = 1, 2, 3, 6
pieces = [piece("<unk>", 0, UNKNOWN), piece("<s>", 0, CONTROL),
          piece("</s>", 0, CONTROL)]
pieces += [piece("<0x%02X>" % b, 0, BYTE) for b in range(256)]
normal = ["\u2581t", "he", "\u2581the", "in", "\u2581a", "er", "on", "\u2581s",
          "\u2581", "e", "t", "h", "a", "s", "i", "n", "r", "o", "l", "d"]
pieces += [piece(p, -float(i), NORMAL) for i, p in enumerate(normal)]
trainer = (field(3, 0, 2) + field(35, 0, 1) + field(40, 0, 0) +
           field(41, 0, 1) + field(42, 0, 2))
norm = field(1, 2, b"identity") + field(3, 0, 1) + field(4, 0, 0)
model = b"".join(pieces) + field(2, 2, trainer) + field(3, 2, norm)
open(sys.argv[1], "wb").write(model)
