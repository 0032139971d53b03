"""Every flag that README.md and docs/*.md give a spikec tool appears in that
tool's --help (issue #15): a documented flag the tool does not list is either
a stale document or a hidden option. A spike-run flag must be in its
command's help (`spike-run eval --help`).

  doc_flags.py BIN_DIR REPO_ROOT
Prints "N flags of M commands in K files, all in --help", or each missing
one as "FILE:LINE: TOOL: --flag is not in 'TOOL --help'", and exits 1.
"""
import glob
import os
import re
import subprocess
import sys

TOOLS = ("spikec", "spike-opt", "spike-translate", "spike-run", "spike-chipsim")
FLAG = re.compile(r"(?<![\w{=,.-])--?([a-zA-Z][\w-]*)")


def help_text(bin_dir, tool, command=None):
    args = [os.path.join(bin_dir, tool), "--help"]
    if tool == "spikec":
        args = [args[0], "compile", "--help"]
    elif command:
        args = [args[0], command, "--help"]
    p = subprocess.run(args, capture_output=True, text=True)
    return p.stdout + p.stderr


def subcommands(top_help):
    """The commands that a top-level help lists under "Subcommands:"."""
    listed = top_help.split("Subcommands:", 1)[-1].split("\n\n", 1)[0]
    return set(re.findall(r"^  ([a-z][\w-]*)", listed, re.M))


def subcommand(tool, cmd, known):
    """spike-run's command in a command text (one that its help lists),
    or None."""
    if tool != "spike-run":
        return None
    m = re.match(r"\s*([a-z][\w-]*)", cmd)
    return m.group(1) if m and m.group(1) in known else None


def commands(path):
    """(line number, tool, command text) of each tool invocation, with
    backslash continuations joined and pass options ({...}) and quoted
    values removed."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        start, text = i, lines[i]
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1] + " " + lines[i]
        i += 1
        text = re.sub(r"\{[^}]*\}", "", text)
        text = re.sub(r"\"[^\"]*\"|'[^']*'", "", text)
        # Not the Python modules (spikec.lm_eval, spikec-lm-eval) nor a
        # tool named as a flag's value (lm_eval's --model spikec).
        for m in re.finditer(r"(?<![\w/.-])(%s)(?![\w.-])" % "|".join(
                re.escape(t) for t in TOOLS), text):
            before = text[:m.start()].split()
            if before and before[-1].startswith("-"):
                continue
            rest = text[m.end():]
            # The command ends at a shell separator, a code span's end, or
            # the next tool.
            cut = re.search(r"[|;`)]|&&|\s(%s)\s" % "|".join(
                re.escape(t) for t in TOOLS), rest)
            yield start + 1, m.group(1), rest[:cut.start()] if cut else rest


def main():
    bin_dir, root = sys.argv[1], sys.argv[2]
    files = [os.path.join(root, "README.md")] + sorted(
        glob.glob(os.path.join(root, "docs", "*.md")))
    helps = {(t, None): help_text(bin_dir, t) for t in TOOLS}
    known = subcommands(helps[("spike-run", None)])
    missing, flags, count = [], set(), 0
    for path in files:
        for line, tool, cmd in commands(path):
            count += 1
            key = (tool, subcommand(tool, cmd, known))
            if key not in helps:
                helps[key] = help_text(bin_dir, tool, key[1])
            shown_by = "%s %s --help" % (tool, key[1]) if key[1] else \
                "%s --help" % tool
            for m in FLAG.finditer(cmd):
                flag = m.group(1)
                if len(flag) == 1 and m.group(0).startswith("--"):
                    continue
                dashes = "-" if m.group(0)[1] != "-" else "--"
                shown = dashes + flag
                flags.add((key, flag))
                if not re.search(r"(?<![\w-])-{1,2}%s(?![\w-])" %
                                 re.escape(flag), helps[key]):
                    missing.append("%s:%d: %s: %s is not in '%s'" % (
                        os.path.relpath(path, root), line, tool, shown,
                        shown_by))
    for m in sorted(set(missing)):
        print(m)
    if missing:
        return 1
    print("%d flags of %d commands in %d files, all in --help" % (
        len(flags), count, len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
