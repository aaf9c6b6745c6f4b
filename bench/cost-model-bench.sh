#!/usr/bin/env bash
# The cost model's accuracy: each strategy is predicted at the target N from runs at small sizes (calibrated there:
# per-op factor and fixed seconds per call, from the computing thread's CPU time of Jacobian.perSample, median of
# three — what the explorer measures and predicts), then run at the target in a fresh JVM (JacobianBench, one worker)
# in the state exploring leaves a session in: the strategy warmed up at the first size for a second of CPU (the JIT
# compiles its code; the explorer and the calibration warm up the same way), then one call at each other size.
# Prints CSV:
#   model,strategy,N,predicted_s,measured_cpu_s,measured_wall_s,ratio,predicted_peak_mib,measured_peak_mib,peak_ratio,per_op_factor,per_call_ms,sizes,process_cpu_s,first_call_cpu_s,first_call_growth_mib,load
# (load: the 1-minute load average when the row's target run ended; the machine is shared)
# The prediction is a call in a warm session (the user's second call at N). Where it is under 20 s the target runs
# one call apart (first_call_*: its thread CPU and process growth, which hold the JIT's compiling what first runs at
# that size) and then three timed calls: measured = their median; over 20 s one call, measured and first alike.
# ratio = predicted / measured CPU seconds of the computing thread (one worker, one native thread: all the strategy's
# work runs there); process_cpu_s adds every other thread's (the JIT compilers', the collector's) for reference.
# Peak memory: predicted = the model's resident tape (inputs, parameters, recorded forward) + the strategy's peak
# + what the process adds in a call beyond them (measured at the small sizes like the target); measured = VmHWM during
# the first timed call at the target above the resident set before its model was built, in the same process (the
# inputs' garbage collected before the call; the JVM's own baseline taken out; its heap is touched at start,
# -XX:+AlwaysPreTouch, so Java garbage does not count as growth): the Jacobian's own memory, the JIT's compilations
# done in the call before. Both JVMs run with MALLOC_MMAP_THRESHOLD_=65536 (glibc maps each array of 64 KiB or more
# and unmaps it when freed) so that the resident set holds live arrays, not what earlier calls freed and malloc kept.
# peak_ratio = predicted / measured; first_call_growth_mib (JIT code and arenas included) is printed beside it.
# chunked(256) at the target is measured on one chunk of 256 seeds and scaled (JacobianBench chunkedEstimate): the
# second chunk, after a first one reported apart (the first touches memory the process never held). A run
# predicted over COST_BENCH_CAP seconds (default 1800; for chunked its 256 seeds) is not run; a strategy the model
# refuses (a sum trick on coupled samples) is listed as refused. rowBlocks runs the model as a function of x (as the
# explorer studies it: Model.jacobian), the others on its recorded tape.
# Usage: OMP_NUM_THREADS=1 bench/cost-model-bench.sh [--markdown] [CONFIG_FILE]   (lines: model strategy sizes target)
# --markdown: after the CSV, the README's table (human units, ratios outside the bounds — time 1/2…2, peak 1/1.5…1.5 —
# in bold) with the date, the load average at start and end, and the rates used.
# JACLAB_CP=<class path> runs from compiled classes instead of target/jaclab-all.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
markdown=; [ "${1:-}" = --markdown ] && { markdown=1; shift; }
load0=$(cut -d' ' -f1 /proc/loadavg)
if [ -z "${JACLAB_CP:-}" ]; then [ -f target/jaclab-all.jar ] || mvn -B -q -DskipTests package; fi
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-65536}   # freed arrays leave the resident set (see above)
default="sin sparseRows 256,1024,2048 65536
sin forwardSum 256,1024,2048 65536
sin reverseSum 256,1024,2048 65536
sin chunked 256,1024,2048 65536
mlp sparseRows 256,1024,2048 65536
mlp forwardSum 256,1024,2048 65536
mlp reverseSum 256,1024,2048 65536
mlp chunked 256,512,1024 65536
mlp rowBlocks 256,1024,2048 65536
attention sparseRows 256,1024,2048 65536
attention forwardSum 256,1024,2048 65536
attention reverseSum 256,1024,2048 65536
attention chunked 64,128,256 65536
dense sparseRows 128,256,512 4096
dense chunked 128,256,512 4096
attention2 meetInMiddle 128,256,512 4096
attention4 meetInMiddle 128,256 1024"
jar=${JACLAB_CP:-target/jaclab-all.jar}
csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
echo "model,strategy,N,predicted_s,measured_cpu_s,measured_wall_s,ratio,predicted_peak_mib,measured_peak_mib,peak_ratio,per_op_factor,per_call_ms,sizes,process_cpu_s,first_call_cpu_s,first_call_growth_mib,load" | tee "$csv"
while read -r model strategy sizes target; do
  [ -n "$model" ] || continue
  pred=$(java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp "$jar" dev.jaclab.cli.CostModelBench "$model" "$strategy" "$sizes" "$target" 2>/dev/null | tail -1)
  IFS=, read -r _ pname _ ps ppeak perop percall _ _ <<< "$pred"
  if [ "$ps" = refused ]; then echo "$model,$pname,$target,refused,,,,,,,,,${sizes//,/ }" | tee -a "$csv"; continue; fi
  run=$strategy; [ "$strategy" = chunked ] && run=chunkedEstimate
  runs=$(awk -v p="$ps" -v c="$strategy" -v n="$target" 'BEGIN { print (c == "chunked") ? p * 256 / (3 * n) : p }')
  if awk -v r="$runs" -v cap="${COST_BENCH_CAP:-1800}" 'BEGIN { exit !(r > cap) }'; then  # predicted over the cap: not run
    echo "$model,$pname,$target,$ps,not run (over ${COST_BENCH_CAP:-1800} s),,,$ppeak,,,$perop,$percall,${sizes//,/ }" | tee -a "$csv"; continue
  fi
  reps=$(awk -v p="$ps" 'BEGIN { print (p < 20) ? 3 : 1 }')             # short calls: the first apart, median of three after it
  apart=; { [ "$reps" = 3 ] || [ "$strategy" = chunked ]; } && apart=firstApart   # chunked: its second chunk timed, as the run's others
  meas=$(timeout 3600 java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -Djava.awt.headless=true -cp "$jar" dev.jaclab.cli.JacobianBench "$model" "$target" "$run" "$reps" 12g "$sizes" "$apart" 2>/dev/null | tail -1 || true)
  IFS=, read -r _ _ _ status ms _ _ hwm _ pcpu growth cpu first fgrowth <<< "$meas"
  ratio=$(awk -v p="$ps" -v m="$cpu" 'BEGIN { if (m > 0) printf "%.2f", p / m; else print "" }')
  pratio=$(awk -v p="$ppeak" -v m="$growth" 'BEGIN { if (m > 0) printf "%.2f", p / m; else print "" }')
  echo "$model,$pname,$target,$ps,$cpu,$ms,$ratio,$ppeak,$growth,$pratio,$perop,$percall,${sizes//,/ },$pcpu,$first,$fgrowth,$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$csv"
done < <(if [ -n "${1:-}" ]; then cat "$1"; else echo "$default"; fi)
[ -n "$markdown" ] || exit 0
rates=$(cat "$HOME/.cache/jaclab/rates-${OMP_NUM_THREADS}t.txt" 2>/dev/null || true)
awk -F, -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" -v load="$load0–$(cut -d' ' -f1 /proc/loadavg)" -v rates="$rates" '
  function t(s) { if (s == "") return ""; if (s < 1) return sprintf("%.0f ms", s * 1000); if (s < 120) return sprintf("%.2f s", s)
                  if (s < 7200) return sprintf("%.1f min", s / 60); if (s < 172800) return sprintf("%.1f h", s / 3600); return sprintf("%.0f days", s / 86400) }
  function m(b) { if (b == "") return ""; return b < 1024 ? sprintf("%.1f MiB", b) : sprintf("%.2f GiB", b / 1024) }
  function r(x, lo, hi) { if (x == "") return ""; return (x < lo || x > hi) ? "**" x "**" : x }
  function n(x,   s) { s = ""; while (x >= 1000) { s = sprintf(",%03d", x % 1000) s; x = int(x / 1000) } return x s }
  BEGIN { split(rates, q, " "); printf "\nRun %s, load average %s, one thread; rates: gemm %.1f GFLOP/s, elementwise %.2f G/s, transcendental %.2f G/s, strided copies %.2f G/s, fresh writes %.1f GB/s (arrays from 2 GiB: %.2f GB/s), %.0f µs per op.\n\n", date, load, q[1] / 1e9, q[2] / 1e9, q[3] / 1e9, q[6] / 1e9, q[4] / 1e9, q[7] / 1e9, q[5] * 1e6
          print "| model | strategy | N (from sizes) | predicted | measured CPU | ratio | first call | process CPU | predicted peak | measured peak | ratio | first-call growth | load |"; print "|---|---|---|---|---|---|---|---|---|---|---|---|---|" }
  NR > 1 { k = split($13, z, " "); sz = k > 1 ? n(z[1]) "–" n(z[k]) : n(z[1])
           if ($4 == "refused") { printf "| %s | `%s` | %s | refused (coupled samples) | | | | | | | | | |\n", $1, $2, n($3); next }
           meas = ($5 ~ /not run/) ? "not run" : t($5)
           printf "| %s | `%s` | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, n($3), sz, t($4), meas, r($7, 0.5, 2), t($15), t($14), m($8), m($9), r($10, 0.67, 1.5), m($16), $17 }
' "$csv"
