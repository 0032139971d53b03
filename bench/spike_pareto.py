"""Tabulates and plots bench/spike_pareto.sh's runs: per T and LAMBDA the
WikiText-2 perplexity (and its ratio to the QANN's) against spikes per
token, as OUT/pareto.csv and OUT/pareto.png.
    python3 bench/spike_pareto.py OUT T... -- LAMBDA..."""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    with open(path) as f:
        return json.load(f)


def main():
    out = sys.argv[1]
    split = sys.argv.index("--")
    ts, lambdas = sys.argv[2:split], sys.argv[split + 1:]
    qann = load(os.path.join(out, "qann.eval.json"))["perplexity"]
    rows = []
    for t in ts:
        for lam in lambdas:
            path = os.path.join(out, f"is{t}-l{lam}.eval.json")
            if not os.path.exists(path):
                continue
            r = load(path)
            tokens = r["chunks"] * r["seq_len"]
            spikes = sum(s["spikes"] for s in r["sites"].values())
            rows.append({"T": int(t), "lambda": float(lam),
                         "perplexity": r["perplexity"],
                         "ratio": r["perplexity"] / qann,
                         "spikes_per_token": spikes / tokens,
                         "rate": r["spikes_per_neuron_per_step"]})
    with open(os.path.join(out, "pareto.csv"), "w") as f:
        f.write("T,lambda,perplexity,ratio_to_qann,spikes_per_token,"
                "spikes_per_neuron_step\n")
        for r in rows:
            f.write(f"{r['T']},{r['lambda']},{r['perplexity']:.4f},"
                    f"{r['ratio']:.4f},{r['spikes_per_token']:.0f},"
                    f"{r['rate']:.4f}\n")
    print(f"QANN perplexity {qann:.4f}")
    print("| T | lambda | perplexity | / QANN | spikes per token | "
          "spikes per neuron-step |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['T']} | {r['lambda']:g} | {r['perplexity']:.3f} | "
              f"{r['ratio']:.3f} | {r['spikes_per_token'] / 1e6:.2f} M | "
              f"{r['rate']:.4f} |")
    fig, ax = plt.subplots(figsize=(6, 4))
    for t in ts:
        pts = sorted((r["spikes_per_token"] / 1e6, r["perplexity"], r["lambda"])
                     for r in rows if r["T"] == int(t))
        if not pts:
            continue
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-",
                label=f"signed code, T = {t}")
        for x, y, lam in pts:
            ax.annotate(f"λ={lam:g}", (x, y), textcoords="offset points",
                        xytext=(4, 4), fontsize=8)
    ax.axhline(qann, color="gray", ls="--", label="QANN")
    ax.set_xlabel("spikes per token (millions)")
    ax.set_ylabel("WikiText-2 perplexity")
    ax.set_title("SmolLM2-135M: calibration with a spike penalty")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "pareto.png"), dpi=120)


if __name__ == "__main__":
    main()
