#!/usr/bin/env bash
# Exact attention blocks on a Spark standalone cluster on localhost (spark/local-cluster.sh): N samples (default
# 65536) on 1 and then 2 workers of 1 core each (one executor per worker, 1 thread, OMP_NUM_THREADS=1), then the
# N = 10^6 prediction for K = 1, 16, 100 executors from the 1-worker run:
#   T(10^6, K) = s·T_forward + s·T_blocks / K,   s = (10^6 / N)^2
# (every executor records the whole O(N^2) forward once; the blocks, O(N^2) for sparseRows on attention, split over
# the executors; start-up and scheduling are left out). Memory per executor ~ peak RSS · 10^6 / N (inputs, the fused
# forward's O(N·d) tape and a partition's blocks grow linearly; the JVM's own share does not, so this is an upper bound).
# Usage: bench/spark-bench.sh [N] [PARTITIONS]      prints CSV, then the prediction table
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
here="$root/spark"
n="${1:-65536}"
parts="${2:-32}"
if [ ! -f "$here/target/jaclab-spark.jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests install) && (cd "$here" && mvn -B -q -DskipTests package)
fi
work="$(mktemp -d)"
trap 'lc_stop; rm -rf "$work"' EXIT
# shellcheck source=spark/local-cluster.sh
. "$here/local-cluster.sh"
export OMP_NUM_THREADS=1
echo "# $(date -u +%FT%TZ), $(getconf _NPROCESSORS_ONLN) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "workers,N,partitions,executors,wall_s,forward_s_per_executor,blocks_s_summed,peak_rss_mib"
for k in 1 2; do
  lc_start "$k" 1 8g
  JACLAB_JAVA_OPTS=-Xmx3g "$root/bin/jaclab" jacobian --model attention --n "$n" --strategy sparseRows --master "$master" \
    --out "$work/blocks$k" --partitions "$parts" --threads 1 --conf spark.executor.memory=3g \
    --conf spark.cores.max="$k" --conf spark.scheduler.minRegisteredResourcesRatio=1.0 > "$work/driver$k.log" 2>&1 \
    || { tail -n 20 "$work/driver$k.log" >&2; exit 1; }
  lc_stop
  line="$(grep "N=$n:" "$work/driver$k.log")"
  echo "$line" | sed -E "s/.*: ([0-9]+) partitions on ([0-9]+) executor.*forward ([0-9.]+) s per executor, blocks ([0-9.]+) s summed.*peak RSS (-?[0-9]+) MiB.*wall ([0-9.]+) s.*/$k,$n,\1,\2,\6,\3,\4,\5/" \
    | tee -a "$work/results.csv"
  rm -rf "$work/blocks$k"
done
echo
awk -F, -v n="$n" 'NR == 1 {
  s = (1e6 / n) ^ 2; f = $6; b = $7; mem = $8 * 1e6 / n
  printf "# N = 10^6 predicted from N = %d on 1 worker: forward %.1f s, blocks %.1f s, s = %.1f\n", n, f, b, s
  print "executors,forward_s,blocks_s,total_s,total_h,memory_per_executor_gib"
  split("1 16 100", ks, " ")
  for (i = 1; i <= 3; i++) { k = ks[i]; t = s * f + s * b / k; printf "%d,%.0f,%.0f,%.0f,%.2f,%.1f\n", k, s * f, s * b / k, t, t / 3600, mem / 1024 }
}' "$work/results.csv"
