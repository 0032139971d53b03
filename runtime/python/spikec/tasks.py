"""The five zero-shot sets as local lm-evaluation-harness tasks.

    python -m spikec.tasks --data ../shared/data/zeroshot --out TASKS [--limit N]

writes, per task, the first N items of the file ``spike-run zeroshot``
reads (shared/data/zeroshot/README) as JSON lines in the Hugging Face
dataset's fields, and a task YAML that includes the harness's own task
(its prompts, choices, targets and metrics) and replaces only the dataset
with the local file. Run them with ``--include_path TASKS --tasks
spikec_piqa,...``; no hub is needed.

HellaSwag: the local file keeps each item's preprocessed "activity: ctx"
and endings, without the ctx_a/ctx_b split; the item is written as
activity_label + ctx_a with an empty ctx_b, which the harness's
process_docs maps back to the same query (the README's caveat: lm-eval
capitalizes ctx_b, which this data cannot reproduce, on both sides alike).
"""

from __future__ import annotations

import argparse
import bz2
import json
import os
from typing import Iterator, List, Optional

from ._runtime import Error

TASKS = ["piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande"]

# The harness's task YAML of each set, relative to lm_eval/tasks.
_HARNESS_YAML = {
    "piqa": "piqa/piqa.yaml",
    "arc_easy": "arc/arc_easy.yaml",
    "arc_challenge": "arc/arc_challenge.yaml",
    "hellaswag": "hellaswag/hellaswag.yaml",
    "winogrande": "winogrande/default.yaml",
}


def _lines(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield line.rstrip("\n")


def _docs(task: str, data: str) -> Iterator[dict]:
    """The task's items in the HF dataset's fields, in file order."""
    if task == "piqa":
        labels = list(_lines(os.path.join(data, "piqa", "valid-labels.lst")))
        for i, line in enumerate(_lines(os.path.join(data, "piqa",
                                                     "valid.jsonl"))):
            doc = json.loads(line)
            yield {"goal": doc["goal"], "sol1": doc["sol1"],
                   "sol2": doc["sol2"], "label": int(labels[i])}
    elif task in ("arc_easy", "arc_challenge"):
        name = "ARC-Easy" if task == "arc_easy" else "ARC-Challenge"
        for line in _lines(os.path.join(data, task, f"{name}-test.jsonl")):
            yield json.loads(line)
    elif task == "hellaswag":
        path = os.path.join(data, "hellaswag", "hellaswag_val_full.txt.bz2")
        with bz2.open(path, "rt", encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f]
        for i in range(0, len(lines) - 5, 6):
            query, label, endings = lines[i], lines[i + 1], lines[i + 2:i + 6]
            activity, _, ctx = query.partition(": ")
            yield {"activity_label": activity, "ctx_a": ctx, "ctx_b": "",
                   "endings": endings, "label": label}
    elif task == "winogrande":
        for line in _lines(os.path.join(data, "winogrande", "dev.jsonl")):
            doc = json.loads(line)
            yield {k: doc[k] for k in ("sentence", "option1", "option2",
                                       "answer")}
    else:
        raise Error(f"{task}: unknown task (one of {', '.join(TASKS)})")


def write_tasks(data: str, out: str, limit: int = 0,
                tasks: Optional[List[str]] = None) -> List[str]:
    """Writes the local tasks ``spikec_<task>`` into ``out``; returns their
    names."""
    import lm_eval.tasks

    harness = os.path.dirname(lm_eval.tasks.__file__)
    os.makedirs(out, exist_ok=True)
    names = []
    for task in tasks or TASKS:
        docs = []
        for doc in _docs(task, data):
            if limit and len(docs) == limit:
                break
            docs.append(doc)
        jsonl = os.path.abspath(os.path.join(out, f"{task}.jsonl"))
        with open(jsonl, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(d, ensure_ascii=False) + "\n"
                         for d in docs)
        name = f"spikec_{task}"
        config = [
            f"include: {json.dumps(os.path.join(harness, _HARNESS_YAML[task]))}",
            f"task: {name}",
            "tag: []",
            "dataset_path: json",
            "dataset_name: null",
            "dataset_kwargs:",
            "  data_files:",
            f"    test: {json.dumps(jsonl)}",
            "training_split: null",
            "validation_split: null",
            "test_split: test",
            "fewshot_split: null",
        ]
        with open(os.path.join(out, f"{name}.yaml"), "w",
                  encoding="utf-8") as f:
            f.write("\n".join(config) + "\n")
        names.append(name)
    return names


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m spikec.tasks",
        description="Write the zero-shot sets as local lm-eval tasks")
    parser.add_argument("--data", required=True,
                        help="the zeroshot/ folder (shared/data/zeroshot)")
    parser.add_argument("--out", required=True, help="the task folder")
    parser.add_argument("--limit", type=int, default=0,
                        help="the first N items of each task (0: all)")
    parser.add_argument("--tasks", default=",".join(TASKS),
                        help="comma-separated subset")
    args = parser.parse_args(argv)
    try:
        names = write_tasks(args.data, args.out, args.limit,
                            args.tasks.split(","))
    except (Error, OSError, KeyError, ValueError) as e:
        raise SystemExit(f"spikec.tasks: error: {e}")
    print(",".join(names))


if __name__ == "__main__":
    main()
