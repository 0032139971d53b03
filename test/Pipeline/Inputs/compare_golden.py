"""Compares a golden job's outputs with Golden/ (golden-job.test): text
files (.mlir, .json, .md, .diag) byte for byte after writing the output
folder's path as <OUT> (and none may name a path of the checkout), binary files (.safetensors, .nir) by their SHA-256
in Golden/binary.sha256. Every file on either side must be on the other.

  compare_golden.py OUT GOLDEN [--update]
--update rewrites GOLDEN from OUT: only after a deliberate change, named in
the commit.
"""
import hashlib
import os
import shutil
import sys

BINARY = (".safetensors", ".nir")


def files(root):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def text(path, out):
    with open(path, "rb") as f:
        return f.read().replace(os.path.abspath(out).encode(), b"<OUT>")


def main():
    out, golden = sys.argv[1], sys.argv[2]
    produced = files(out)
    sums = {p: hashlib.sha256(open(os.path.join(out, p), "rb").read())
            .hexdigest() for p in produced if p.endswith(BINARY)}
    if len(sys.argv) > 3 and sys.argv[3] == "--update":
        shutil.rmtree(golden, ignore_errors=True)
        for p in produced:
            if p.endswith(BINARY):
                continue
            os.makedirs(os.path.dirname(os.path.join(golden, p)),
                        exist_ok=True)
            with open(os.path.join(golden, p), "wb") as f:
                f.write(text(os.path.join(out, p), out))
        with open(os.path.join(golden, "binary.sha256"), "w") as f:
            for p in sorted(sums):
                f.write("%s  %s\n" % (sums[p], p))
        print("updated %s: %d files" % (golden, len(produced)))
        return 0
    want = {}
    for line in open(os.path.join(golden, "binary.sha256")):
        digest, name = line.split()
        want[name] = digest
    differences = []
    # A path of this checkout in an output would differ on another machine.
    root = os.path.abspath(os.path.join(golden, "..", "..", "..")).encode()
    for p in produced:
        if not p.endswith(BINARY) and root in text(os.path.join(out, p), out):
            differences.append("%s: records a path of this checkout (%s)" %
                               (p, root.decode()))
    expected = set(p for p in files(golden) if p != "binary.sha256")
    expected |= set(want)
    for p in sorted(expected | set(produced)):
        if p not in produced:
            differences.append("%s: not produced" % p)
        elif p not in expected:
            differences.append("%s: produced, not in the goldens" % p)
        elif p.endswith(BINARY):
            if sums[p] != want[p]:
                differences.append("%s: SHA-256 %s, golden %s" % (
                    p, sums[p], want[p]))
        elif text(os.path.join(out, p), out) != open(
                os.path.join(golden, p), "rb").read():
            differences.append("%s: differs from the golden (diff it with "
                               "%s)" % (p, os.path.join(golden, p)))
    for d in differences:
        print(d)
    if differences:
        return 1
    print("%d text and %d binary files identical to the goldens" % (
        len(expected) - len(want), len(want)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
