#!/usr/bin/env python3
"""Generates UnicodeTables.inc from the Unicode Character Database that
Debian's unicode-data package installs (/usr/share/unicode; UCD 15.0 in
Debian 12), not from the build machine's Python: code-point ranges of the
letter (L*) and number (N*) general categories and of the White_Space
property, which the pre-tokenizer patterns match as \\p{L}, \\p{N} and \\s,
and of \\w as HF tokenizers' added-token rules see it (Rust regex's
Unicode \\w: Alphabetic, marks, decimal digits, connector punctuation and
Join_Control), and of the punctuation (P*) category, which llama.cpp's
default pre-tokenizer matches as \\p{P}.

It also generates UnicodeNormalizationTables.inc, the data of the
Unicode normalization forms (UAX #15): canonical combining classes,
canonical and compatibility decomposition mappings (Hangul syllables are
algorithmic and left out), and the primary composites (canonical pairs not
in Full_Composition_Exclusion).

  python3 runtime/core/lib/Text/gen_unicode_tables.py [UCD_DIR]
"""
import os
import re
import sys

ucd = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"


def version():
    with open(os.path.join(ucd, "PropList.txt")) as f:
        m = re.search(r"PropList-(\d+\.\d+\.\d+)\.txt", f.readline())
    if not m:
        sys.exit("gen_unicode_tables: no version in PropList.txt")
    return m.group(1)


def categories():
    """(first, last, category) of UnicodeData.txt, ranges joined."""
    out, first = [], None
    with open(os.path.join(ucd, "UnicodeData.txt")) as f:
        for line in f:
            fields = line.split(";")
            cp, name, cat = int(fields[0], 16), fields[1], fields[2]
            if name.endswith(", First>"):
                first = cp
                continue
            out.append((first if name.endswith(", Last>") else cp, cp, cat))
            first = None
    return out


def merged(points):
    """Sorted, joined ranges of (lo, hi) pairs."""
    out = []
    for lo, hi in sorted(points):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def prop(filename, name):
    """Ranges of a binary property in a UCD property file."""
    out = []
    with open(os.path.join(ucd, filename)) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if not line:
                continue
            cps, p = [x.strip() for x in line.split(";")[:2]]
            if p != name:
                continue
            lo, _, hi = cps.partition("..")
            out.append((int(lo, 16), int(hi or lo, 16)))
    return merged(out)


def normalization_tables(out):
    """UnicodeNormalizationTables.inc: kCombiningClasses, kDecompositions
    over kDecompositionPool, kCompositions."""
    ccc, decomp = [], []
    with open(os.path.join(ucd, "UnicodeData.txt")) as f:
        for line in f:
            fields = line.split(";")
            cp = int(fields[0], 16)
            if int(fields[3]):
                ccc.append((cp, cp, int(fields[3])))
            if fields[5]:
                parts = fields[5].split()
                compat = parts[0].startswith("<")
                if compat:
                    parts = parts[1:]
                decomp.append((cp, compat, [int(x, 16) for x in parts]))
    excluded = set()
    for lo, hi in prop("DerivedNormalizationProps.txt",
                       "Full_Composition_Exclusion"):
        excluded.update(range(lo, hi + 1))
    # Joined runs of equal class.
    runs = []
    for lo, hi, c in ccc:
        if runs and runs[-1][2] == c and runs[-1][1] + 1 == lo:
            runs[-1] = (runs[-1][0], hi, c)
        else:
            runs.append((lo, hi, c))
    out.write("constexpr CombiningClassRange kCombiningClasses[] = {\n")
    out.write(",\n".join("    {0x%X, 0x%X, %d}" % r for r in runs))
    out.write("};\n")
    pool, rows = [], []
    for cp, compat, parts in decomp:
        rows.append("    {0x%X, %s, %d, %d}" % (cp, "true" if compat else
                                                "false", len(pool),
                                                len(parts)))
        pool.extend(parts)
    out.write("constexpr uint32_t kDecompositionPool[] = {\n")
    for i in range(0, len(pool), 8):
        out.write("    " + ", ".join("0x%X" % x for x in pool[i:i + 8]) +
                  ",\n")
    out.write("};\n")
    out.write("constexpr Decomposition kDecompositions[] = {\n")
    out.write(",\n".join(rows))
    out.write("};\n")
    pairs = sorted((parts[0], parts[1], cp) for cp, compat, parts in decomp
                   if not compat and len(parts) == 2 and cp not in excluded)
    out.write("constexpr Composition kCompositions[] = {\n")
    out.write(",\n".join("    {0x%X, 0x%X, 0x%X}" % p for p in pairs))
    out.write("};\n")


def emit(name, rs):
    body = ",\n".join("    {0x%X, 0x%X}" % r for r in rs)
    return "constexpr CodeRange %s[] = {\n%s};\n" % (name, body)


cats = categories()
letters = merged((lo, hi) for lo, hi, c in cats if c.startswith("L"))
numbers = merged((lo, hi) for lo, hi, c in cats if c.startswith("N"))
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "UnicodeTables.inc"), "w") as f:
    f.write("// Generated by runtime/core/lib/Text/gen_unicode_tables.py from the "
            "Unicode Character\n// Database %s (Debian's unicode-data). Do "
            "not edit.\n" % version())
    f.write("constexpr const char *kUnicodeVersion = \"%s\";\n" % version())
    f.write(emit("kLetterRanges", letters))
    f.write(emit("kNumberRanges", numbers))
    f.write(emit("kSpaceRanges", prop("PropList.txt", "White_Space")))
    word = (prop("DerivedCoreProperties.txt", "Alphabetic") +
            prop("PropList.txt", "Join_Control") +
            [(lo, hi) for lo, hi, c in cats
             if c.startswith("M") or c in ("Nd", "Pc")])
    f.write(emit("kWordRanges", merged(word)))
    f.write(emit("kPunctuationRanges",
                 merged((lo, hi) for lo, hi, c in cats if c.startswith("P"))))
with open(os.path.join(here, "UnicodeNormalizationTables.inc"),
          "w") as f:
    f.write("// Generated by runtime/core/lib/Text/gen_unicode_tables.py from the "
            "Unicode Character\n// Database %s (Debian's unicode-data). Do "
            "not edit.\n" % version())
    normalization_tables(f)
