#!/usr/bin/env python3
"""Checks executed JacLab notebooks: no error outputs (nor exception traces on stderr), no empty code cells,
and at least the charts (image/png) and tables (text/html) each notebook is expected to produce.

Usage: check_outputs.py EXECUTED.ipynb [...]     (standard library only)
"""
import json
import os
import re
import sys

# notebook file name -> minimum counts of outputs carrying each MIME type
EXPECTED = {
    "01-batch-jacobians.ipynb": {"image/png": 1, "text/html": 2},
    "02-coupled-samples.ipynb": {"image/png": 4, "text/html": 2},
    "03-autodiff-from-scratch.ipynb": {"image/png": 2, "text/html": 2},
    "04-which-strategy-fits-my-model.ipynb": {"image/png": 2, "text/html": 2},
    "05-detached-and-stochastic.ipynb": {"image/png": 2, "text/html": 1},
    "06-pinn-training.ipynb": {"image/png": 5},
}
# notebook file name -> texts some output must contain (results the notebook's prose relies on)
TEXTS = {
    "03-autodiff-from-scratch.ipynb": ["GradCheck[jvp", "passed]", "FAILED]"],
    "06-pinn-training.ipynb": ["relative L2 error on the 64x64 grid", "L-BFGS:", "same predictions: true", "rows of ∂loss/∂θ",
                               "exact per-sample second derivatives of coupled samples", "exact residual RMS"],
}
TRACE = re.compile(r"(Exception|Error)(:|\b.*\n\s+at )|\bat [\w.$]+\([\w.]+\.java:\d+\)")


def check(path):
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    problems, counts, texts = [], {}, []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("execution_count") is None and "".join(cell["source"]).strip():
            problems.append(f"cell {i} was not executed")
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "error":
                problems.append(f"cell {i} raised {out.get('ename')}: {out.get('evalue')}")
            elif kind == "stream" and out.get("name") == "stderr":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if TRACE.search(text):
                    problems.append(f"cell {i} wrote an exception to stderr: {text.strip()[:300]}")
            if kind == "stream":
                texts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
            elif kind in ("display_data", "execute_result"):
                for mime in out.get("data", {}):
                    counts[mime] = counts.get(mime, 0) + 1
                plain = out.get("data", {}).get("text/plain", "")
                texts.append("".join(plain) if isinstance(plain, list) else plain)
    for mime, least in EXPECTED.get(name, {}).items():
        if counts.get(mime, 0) < least:
            problems.append(f"expected at least {least} {mime} output(s), found {counts.get(mime, 0)}")
    for want in TEXTS.get(name, []):
        if not any(want in t for t in texts):
            problems.append(f"no output contains {want!r}")
    summary = ", ".join(f"{counts.get(m, 0)} {m}" for m in ("image/png", "text/html"))
    if problems:
        print(f"    {name}: FAILED ({summary})")
        for p in problems:
            print(f"      - {p}")
        return False
    print(f"    {name}: ok ({summary})")
    return True


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ok = all([check(p) for p in argv[1:]])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
