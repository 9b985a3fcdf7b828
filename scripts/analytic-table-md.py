#!/usr/bin/env python3
"""Markdown tables from the nll.jsonl files of scripts/analytic-table.sh.

  scripts/analytic-table-md.py bound LABEL=FILE [LABEL=FILE ...]
      one row per (file, variance, trajectory): the bound +- its standard
      error at each K found, columns in increasing K
  scripts/analytic-table-md.py terms K LABEL=FILE [LABEL=FILE ...]
      the K-step bound of each NPR / SN line at K term by term (prior, each
      jump t -> s, decoder) with the share of C(x_t)'s elements clamped at 0
      and at the upper end, one column group per (file, variance)
"""
import json
import sys

NAMES = {"beta": "DDPM, β", "beta-tilde": "DDPM, β̃", "analytic": "Analytic-DPM", "npr": "NPR-DPM", "sn": "SN-DPM"}
ORDER = ["beta", "beta-tilde", "analytic", "npr", "sn"]


def read(spec):
    label, path = spec.split("=", 1)
    with open(path) as f:
        return label, [json.loads(line) for line in f if line.strip()]


def bound_table(specs):
    rows = {}
    ks = set()
    for spec in specs:
        label, lines = read(spec)
        for j in lines:
            key = (", ".join(x for x in (j["protocol"], label) if x), j["variance"], j["trajectory_name"])
            rows.setdefault(key, {})[j["steps"]] = (j["nll"], j["stderr"])
            ks.add(j["steps"])
    ks = sorted(ks)
    print("| method | " + " | ".join(f"K = {k}" for k in ks) + " |")
    print("|---|" + "---|" * len(ks))
    labels = list(dict.fromkeys(label for label, _, _ in rows))
    for variance in ORDER:
        for label in labels:
            for trajectory in ("even", "optimal"):
                cells = rows.get((label, variance, trajectory))
                if not cells:
                    continue
                name = f"{NAMES[variance]} ({'ET' if trajectory == 'even' else 'OT'}), {label}"
                values = [f"{cells[k][0]:.3f} ± {cells[k][1]:.3f}" if k in cells else "–" for k in ks]
                print(f"| {name} | " + " | ".join(values) + " |")


def terms_table(K, specs):
    columns = []
    for spec in specs:
        label, lines = read(spec)
        for j in lines:
            if j["steps"] == K and j["variance"] in ("npr", "sn"):
                name = ", ".join(x for x in (NAMES[j["variance"]], j["protocol"], label) if x)
                columns.append((name, j["terms"]))
    header = "| term | " + " | ".join(f"{name}: bits/dim, C < 0, C > max" for name, _ in columns) + " |"
    print(header)
    print("|---|" + "---|" * len(columns))
    for i, term in enumerate(columns[0][1]):
        if term["kind"] == "jump":
            what = f"jump {term['t']} → {term['s']}"
        else:
            what = term["kind"]
        cells = []
        for _, terms in columns:
            t = terms[i]
            if "clamped_low" in t:
                cells.append(f"{t['value']:.3f}, {100 * t['clamped_low']:.1f}%, {100 * t['clamped_high']:.1f}%")
            else:
                cells.append(f"{t['value']:.3f}")
        print(f"| {what} | " + " | ".join(cells) + " |")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "bound":
        bound_table(sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "terms":
        terms_table(int(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
