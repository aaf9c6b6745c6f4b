#!/usr/bin/env python3
"""Checks executed JacLab notebooks: no error outputs (nor exception traces on stderr), no empty code cells,
at least the charts (image/png) and tables (text/html) each notebook is expected to produce, and every
quantitative claim of the notebooks' prose against the numbers their cells printed (CLAIMS, tolerances stated).

Usage: check_outputs.py EXECUTED.ipynb [...]     (standard library only)
"""
import json
import os
import re
import sys

# notebook file name -> minimum counts of outputs carrying each MIME type
EXPECTED = {
    "01-batch-jacobians.ipynb": {"image/png": 3, "text/html": 2},
    "02-coupled-samples.ipynb": {"image/png": 8, "text/html": 2},
    "03-autodiff-from-scratch.ipynb": {"image/png": 4, "text/html": 2},
    "04-which-strategy-fits-my-model.ipynb": {"image/png": 10, "text/html": 3},
    "05-detached-and-stochastic.ipynb": {"image/png": 5, "text/html": 1},
    "06-pinn-training.ipynb": {"image/png": 5},
}
# notebook file name -> texts some output must contain (results the notebook's prose relies on)
TEXTS = {
    "03-autodiff-from-scratch.ipynb": ["GradCheck[jvp", "passed]", "FAILED]"],
    "06-pinn-training.ipynb": ["relative L2 error on the 64x64 grid", "L-BFGS:", "same predictions: true", "rows of ∂loss/∂θ",
                               "exact per-sample second derivatives of coupled samples", "exact residual RMS"],
}
NUM = r"(-?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)"
ROUNDING = 1e-12      # "agrees", "exact", "equal" in float64: differences at rounding level


def num(s):
    return float(s.replace(",", ""))


def claim(text, pattern, test):
    """(what the prose says, a regex with NUM groups some output must match, a test of the numbers of each match)."""
    return (text, re.compile(pattern.replace("NUM", NUM)), test)


def all_small(*xs):
    return all(x <= ROUNDING for x in xs)


# notebook file name -> claims of its prose, each checked against every output that matches its pattern
CLAIMS = {
    "01-batch-jacobians.ipynb": [
        claim("the manual trick equals diag(cos x)", r"max \|Jmanual - diag\(cos x\)\| = NUM", all_small),
        claim("every route agrees with the closed form", r"vs exact: NUM", all_small),
        claim("all routes in the table agree", r"largest error of any route: NUM", all_small),
        claim("perElement is the slow baseline", r"perElement is NUM× slower", lambda r: r > 1),
        claim("exercise 1: 2·tanh blocks are exact", r"2·tanh: reverseSum vs closed form NUM", all_small),
        claim("exercise 2: forwardSum equals reverseSum", r"MLP: forwardSum vs reverseSum NUM", all_small),
    ],
    "02-coupled-samples.ipynb": [
        claim("the sum trick is silently, grossly wrong (>= 20 % of the largest entry)", r"wrong by up to NUM, NUM% of the largest", lambda a, p: p >= 20),
        claim("the manual full Jacobian equals fullBatched and sparseRows", r"manual vs fullBatched: NUM, vs sparseRows: NUM", all_small),
        claim("fullBatched memory grows like N² (exponent >= 1.8)", r"fullBatched\s+memory exponent NUM", lambda k: k >= 1.8),
        claim("chunked grows more slowly than fullBatched (exponent < 1.8)", r"chunked\(256\)\s+memory exponent NUM", lambda k: k < 1.8),
        claim("sparseRows grows more slowly than fullBatched (exponent < 1.8)", r"sparseRows\(256\)\s+memory exponent NUM", lambda k: k < 1.8),
        claim("chunked and sparseRows agree with fullBatched", r"vs fullBatched: NUM", all_small),
        claim("sparseRows is faster than fullBatched", r"sparseRows is NUM× faster than fullBatched", lambda r: r > 1),
        claim("a small sparseRows chunk fits the budget at N = 10^6", r"use sparseRows\(16\)(): ", lambda *_: True),
    ],
    "03-autodiff-from-scratch.ipynb": [
        claim("forward and reverse mode agree", r"JVP\s+= NUM\s+reverse mode\s+<grad, wDot>\s+= NUM", lambda a, b: abs(a - b) <= ROUNDING),
        claim("forward- and reverse-built Jacobians agree", r"Jacobians agree to NUM", all_small),
        claim("reverse grows with m, forward does not (forward slope <= 0.3, reverse's >= 0.3 above it)", r"forward m\^NUM, reverse m\^NUM",
              lambda f, r: r - f >= 0.3 and f <= 0.3),
        claim("tall: forward mode is faster", r"tall: .* forward NUM× faster", lambda r: r > 1),
        claim("wide: reverse mode is faster", r"wide: .* reverse NUM× faster", lambda r: r > 1),
        claim("central differences beat forward differences, reaching <= 1e-8",
              r"best central difference: NUM at h = NUM; best forward difference: NUM", lambda c, h, f: c < f and c <= 1e-8),
        claim("exercise 1: the cube primitive passes its gradient check", r"cube: GradCheck\[.*passed\]()", lambda *_: True),
        claim("exercise 2: the broken cube fails", r"badCube: GradCheck\[.*FAILED\]()", lambda *_: True),
        claim("exercise 3: var(0) passes its gradient check", r"var\(0\): GradCheck\[.*passed\]()", lambda *_: True),
    ],
    "04-which-strategy-fits-my-model.ipynb": [
        claim("auto agrees with sparseRows", r"auto vs sparseRows \(exact for any coupling\): NUM", all_small),
        claim("masked samples have the block 0.1·I", r"over the masked samples: NUM", all_small),
        claim("predicted and counted passes agree", r"differ from the predicted ones: NUM of", lambda n: n == 0),
        claim("exercise 1: the batch mean's op is named with its cell and line", r"mix the batch axis: .* at cell \[NUM\], line NUM", lambda c, l: c > 0 and l > 0),
    ],
    "05-detached-and-stochastic.ipynb": [
        claim("the detached output has the same values", r"max \|yDetached - y\| = NUM", all_small),
        claim("by hand and detached(k, v) agree", r"by hand vs detached\(k, v\): NUM", all_small),
        claim("the detached error falls with N (10× over the sizes, slope < -0.5)",
              r"relative error NUM at N = NUM, NUM at N = NUM; fitted slope NUM", lambda e0, n0, e1, n1, k: e1 < e0 / 10 and k < -0.5),
        claim("the stochastic error shrinks close to 1/√P (fitted slopes in [-0.9, -0.25])",
              r"fitted slopes: RMS error NUM, reported SE NUM", lambda a, b: -0.9 <= a <= -0.25 and -0.9 <= b <= -0.25),
        claim("exercise 2: about 95 % of the entries within 2 SE (>= 85 %)", r"P = 64, seed 99: NUM %", lambda p: p >= 85),
    ],
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
    for text, pattern, test in CLAIMS.get(name, []):
        matches = [m for t in texts for m in pattern.finditer(t)]
        if not matches:
            problems.append(f"claim not printed: {text} (no output matches {pattern.pattern!r})")
        for m in matches:
            values = [num(g) for g in m.groups() if g]
            if not test(*values):
                problems.append(f"claim not backed: {text}: {m.group(0)!r}")
    summary = ", ".join(f"{counts.get(m, 0)} {m}" for m in ("image/png", "text/html")) + f", {len(CLAIMS.get(name, []))} claims"
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
