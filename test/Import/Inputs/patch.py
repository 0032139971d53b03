"""patch.py IN OUT OLD NEW: copies IN to OUT replacing the first OLD bytes
with NEW (same length not required for JSON, required for binaries)."""
import sys

data = open(sys.argv[1], "rb").read()
old, new = sys.argv[3].encode(), sys.argv[4].encode()
assert old in data, "pattern not found"
open(sys.argv[2], "wb").write(data.replace(old, new, 1))
