#!/usr/bin/env python3
"""Changes the declared type of a GGUF metadata key whose value is 4 bytes
(UINT32 <-> INT32 <-> FLOAT32), leaving the layout valid:
retype_gguf_key.py IN OUT KEY TYPE (the type's number in gguf.md)."""
import struct
import sys

src, dst, key, new_type = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
raw = bytearray(open(src, "rb").read())
at = raw.find(struct.pack("<Q", len(key)) + key)
if at < 0:
    sys.exit("no key %s" % key.decode())
at += 8 + len(key)
if struct.unpack_from("<I", raw, at)[0] not in (4, 5, 6):
    sys.exit("the value of %s is not 4 bytes" % key.decode())
struct.pack_into("<I", raw, at, new_type)
open(dst, "wb").write(raw)
