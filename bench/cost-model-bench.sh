#!/usr/bin/env bash
# The cost model's accuracy: each strategy is predicted at the target N from runs at small sizes (calibrated there),
# then run at the target in a fresh JVM (bench/jacobian-bench.sh's JacobianBench, one worker). Prints CSV:
#   model,strategy,N,predicted_s,measured_cpu_s,measured_wall_s,ratio,predicted_peak_mib,measured_hwm_mib
# ratio = predicted / measured CPU seconds (CPU time of the process: other work on the cores does not inflate it).
# chunked(256) at the target is measured on its first 256 seeds and scaled (JacobianBench chunkedEstimate).
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
echo "model,strategy,N,predicted_s,measured_cpu_s,measured_wall_s,ratio,predicted_peak_mib,measured_hwm_mib"
while read -r model strategy sizes target; do
  [ -n "$model" ] || continue
  pred=$(java -Xmx4g -cp "$jar" dev.jaclab.cli.CostModelBench "$model" "$strategy" "$sizes" "$target" 2>/dev/null | tail -1)
  run=$strategy; [ "$strategy" = chunked ] && run=chunkedEstimate
  meas=$(timeout 3600 java -Xmx4g -Djava.awt.headless=true -cp "$jar" dev.jaclab.cli.JacobianBench "$model" "$target" "$run" 1 12g 2>/dev/null | tail -1 || true)
  IFS=, read -r _ pname _ ps ppeak _ <<< "$pred"
  IFS=, read -r _ _ _ status ms _ _ hwm _ cpu <<< "$meas"
  ratio=$(awk -v p="$ps" -v m="$cpu" 'BEGIN { if (m > 0) printf "%.2f", p / m; else print "" }')
  echo "$model,$pname,$target,$ps,$cpu,$ms,$ratio,$ppeak,$hwm"
done < <(if [ -n "${1:-}" ]; then cat "$1"; else echo "$default"; fi)
