#!/usr/bin/env bash
# The cost model's accuracy: each strategy is predicted at the target N from runs at small sizes (calibrated there:
# per-op factor and fixed seconds per call, from the process CPU of Jacobian.perSample, median of three), then run at
# the target in a fresh JVM (JacobianBench, one worker) after one warm-up call at the largest of the small sizes (the
# state a session is in after exploring them: the JIT's first compilations and their memory are not the target's). Prints CSV:
#   model,strategy,N,predicted_s,measured_cpu_s,measured_wall_s,ratio,predicted_peak_mib,measured_peak_mib,peak_ratio,per_op_factor,per_call_ms
# ratio = predicted / measured CPU seconds: process CPU (all threads, the JIT's included) of the call, median of three
# calls where the prediction is under 20 s (one otherwise); other work on the cores does not inflate it.
# Peak memory: predicted = the model's resident tape (inputs, parameters, recorded forward) + the strategy's peak
# + the process's own growth in a call (JIT code, allocator; measured at the small sizes like the target);
# measured = VmHWM during the first call at the target above the resident set before its model was built (the
# inputs' garbage collected before the call), in the same process (the JVM's own baseline taken out; its heap is touched at start, -XX:+AlwaysPreTouch,
# so Java garbage does not count as growth). peak_ratio = predicted / measured.
# chunked(256) at the target is measured on its first 256 seeds and scaled (JacobianBench chunkedEstimate). A run
# predicted over COST_BENCH_CAP seconds (default 1800; for chunked its 256 seeds) is not run; a strategy the model
# refuses (a sum trick on coupled samples) is listed as refused.
# Usage: OMP_NUM_THREADS=1 bench/cost-model-bench.sh [CONFIG_FILE]   (lines: model strategy sizes target)
# JACLAB_CP=<class path> runs from compiled classes instead of target/jaclab-all.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${JACLAB_CP:-}" ]; then [ -f target/jaclab-all.jar ] || mvn -B -q -DskipTests package; fi
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
default="sin sparseRows 256,1024,2048 65536
sin forwardSum 256,1024,2048 65536
sin reverseSum 256,1024,2048 65536
sin chunked 256,1024,2048 65536
mlp sparseRows 256,1024,2048 65536
mlp forwardSum 256,1024,2048 65536
mlp reverseSum 256,1024,2048 65536
mlp chunked 256,512,1024 65536
attention sparseRows 256,1024,2048 65536
attention forwardSum 256,1024,2048 65536
attention reverseSum 256,1024,2048 65536
attention chunked 64,128,256 65536
dense sparseRows 128,256,512 4096
dense chunked 128,256,512 4096"
jar=${JACLAB_CP:-target/jaclab-all.jar}
echo "model,strategy,N,predicted_s,measured_cpu_s,measured_wall_s,ratio,predicted_peak_mib,measured_peak_mib,peak_ratio,per_op_factor,per_call_ms"
while read -r model strategy sizes target; do
  [ -n "$model" ] || continue
  pred=$(java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp "$jar" dev.jaclab.cli.CostModelBench "$model" "$strategy" "$sizes" "$target" 2>/dev/null | tail -1)
  IFS=, read -r _ pname _ ps ppeak perop percall _ _ <<< "$pred"
  if [ "$ps" = refused ]; then echo "$model,$pname,$target,refused,,,,,,,,"; continue; fi
  run=$strategy; [ "$strategy" = chunked ] && run=chunkedEstimate
  runs=$(awk -v p="$ps" -v c="$strategy" -v n="$target" 'BEGIN { print (c == "chunked") ? p * 256 / (3 * n) : p }')
  if awk -v r="$runs" -v cap="${COST_BENCH_CAP:-1800}" 'BEGIN { exit !(r > cap) }'; then  # predicted over the cap: not run
    echo "$model,$pname,$target,$ps,not run (over ${COST_BENCH_CAP:-1800} s),,,$ppeak,,,$perop,$percall"; continue
  fi
  reps=$(awk -v p="$ps" 'BEGIN { print (p < 20) ? 3 : 1 }')             # short calls: median of three (first-call JIT aside)
  warm=$(tr ',' '\n' <<< "$sizes" | sort -n | tail -1)                  # warm-up at the largest calibration size, as after exploring
  meas=$(timeout 3600 java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -Djava.awt.headless=true -cp "$jar" dev.jaclab.cli.JacobianBench "$model" "$target" "$run" "$reps" 12g "$warm" 2>/dev/null | tail -1 || true)
  IFS=, read -r _ _ _ status ms _ _ hwm _ cpu growth <<< "$meas"
  ratio=$(awk -v p="$ps" -v m="$cpu" 'BEGIN { if (m > 0) printf "%.2f", p / m; else print "" }')
  pratio=$(awk -v p="$ppeak" -v m="$growth" 'BEGIN { if (m > 0) printf "%.2f", p / m; else print "" }')
  echo "$model,$pname,$target,$ps,$cpu,$ms,$ratio,$ppeak,$growth,$pratio,$perop,$percall"
done < <(if [ -n "${1:-}" ]; then cat "$1"; else echo "$default"; fi)
