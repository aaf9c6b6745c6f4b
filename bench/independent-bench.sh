#!/usr/bin/env bash
# Independent samples, JacLab vs PyTorch side by side: per-sample Jacobians of y = sin(x) and a 3-64-64-3 tanh MLP
# at N = 16,384 and 1,048,576 by every strategy of each side, and a chain of ten elementwise ops on (1024, 3).
# Every configuration runs in a fresh process (its peak RSS is its own), single-threaded on both sides
# (OMP_NUM_THREADS=1 and JACLAB_WORKERS=1 for JacLab, torch.set_num_threads(1) with OpenBLAS for PyTorch), float32.
# JacLab runs each Jacobian in a Tensor.scope() (the forward's unsaved values released before the sweep, the tape freed
# when the run ends), as PyTorch's reference counts do. Times include the model's forward. Both wall and process CPU time are kept; the table ranks by CPU time, which
# stays meaningful when other work shares the cores. Prints the markdown table of the README; the raw CSV goes to
# target/independent-bench.csv.
# Usage: bench/independent-bench.sh [--quick]      (--quick: the N = 16,384 rows and the chain only)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null || [ ! -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]; then
  echo "installing python3-torch and libopenblas0-openmp (Debian) for the PyTorch side" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-openmp >/dev/null
  else echo "run: sudo apt-get install -y python3-torch libopenblas0-openmp" >&2; exit 1; fi
fi
mvn -q -B -o test-compile >/dev/null 2>&1 || mvn -q -B test-compile >/dev/null
[ -f target/bench-classpath.txt ] || mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
# JacLab runs with its launchers' JVM settings (bin/lib/jvm.sh: serial GC, 64 MiB initial heap, glibc's thresholds),
# as a user's kernel or bin/jaclab runs it; PyTorch with its own defaults
. bin/lib/jvm.sh
JAVA_OPTS="$(jaclab_jvm_opts "${JAVA_OPTS:--Xmx4g}")"
csv=target/independent-bench.csv
: > "$csv"
jaclab() { MALLOC_MMAP_THRESHOLD_=$JACLAB_MALLOC_MMAP MALLOC_TRIM_THRESHOLD_=$JACLAB_MALLOC_TRIM OMP_NUM_THREADS=1 JACLAB_WORKERS=1 timeout 1800 java $JAVA_OPTS -Djava.awt.headless=true -cp "$CP" dev.jaclab.bench.IndependentBench "$@" 2>/dev/null \
             | grep -E '^[a-z]+,' | sed 's/^/jaclab,/' >> "$csv" || echo "jaclab,$1,$2,$3,failed,,," >> "$csv"; }
torch() { LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 timeout 1800 /usr/bin/python3 bench/torch_independent.py "$@" 2>/dev/null \
             | sed 's/^/pytorch,/' >> "$csv" || echo "pytorch,$1,$2,$3,failed,,," >> "$csv"; }
sizes="16384 1048576"; [ "$quick" = --quick ] && sizes=16384
for model in sin mlp; do
  for n in $sizes; do
    reps=5; [ "$n" -ge 1000000 ] && reps=3
    for s in reverseSum forwardSum rowBlocks auto auto:f; do jaclab "$model" "$n" "$s" "$reps"; done
    for r in gradPerOutput isGradsBatched vmapJacrev vmapJacfwd; do torch "$model" "$n" "$r" "$reps"; done
  done
done
for mode in constant recorded; do jaclab chain 1024 "$mode" 5; torch chain 1024 "$mode" 5; done
/usr/bin/python3 - "$csv" <<'PY'
import csv, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) >= 7 and r[4] not in ("", "failed")]
best = {}
for side, model, n, route, sec, rss, cpu in (r[:7] for r in rows):
    if model == "chain": model = "chain " + route
    key = (model, int(n), side)
    if route in ("auto", "auto:f"):                     # the auto column: auto given the function where it ran
        if route == "auto:f" or ("auto",) + key not in best: best[("auto",) + key] = (float(cpu), float(sec), route, float(rss))
        continue
    cur = best.get(key)
    if cur is None or float(cpu) < cur[0]: best[key] = (float(cpu), float(sec), route, float(rss))
def ms(v): return "%.2f ms" % (v * 1e3) if v < 1 else "%.2f s" % v
def mib(v): return "%.0f MiB" % v if v < 1024 else "%.2f GiB" % (v / 1024)
print("| workload | N | PyTorch best (route) | JacLab best (strategy) | JacLab / PyTorch | auto (given f) | peak RSS PyTorch → JacLab |")
print("|---|---|---|---|---|---|---|")
names = {"sin": "y = sin(x)", "mlp": "MLP 3-64-64-3 tanh", "chain constant": "10 elementwise ops, constant", "chain recorded": "10 elementwise ops, recorded"}
for model, n in sorted({(k[0], k[1]) for k in best if k[0] != "auto"}, key=lambda k: (k[0].startswith("chain"), k[0], k[1])):
    p, j = best.get((model, n, "pytorch")), best.get((model, n, "jaclab"))
    if not p or not j: continue
    a = best.get(("auto", model, n, "jaclab"))
    auto = "%s (%s)" % (ms(a[0]), "same" if abs(a[0] - j[0]) <= 0.1 * j[0] else "%.2f×" % (a[0] / j[0])) if a else "—"
    label = names.get(model, model)
    print("| %s | %s | %s (%s) | %s (%s) | %.2f× | %s | %s → %s |" % (label, format(n, ","), ms(p[0]), p[2], ms(j[0]), j[2],
          j[0] / p[0], auto, mib(p[3]), mib(j[3])))
print()
print("CPU seconds per configuration (median); wall times and every route in %s." % sys.argv[1])
PY
