#!/usr/bin/env bash
# Exact attention blocks on a Spark standalone cluster on localhost (spark/local-cluster.sh): N samples (default
# 65536) on 1 and then 2 workers of 1 core each (one executor per worker, 1 thread, OMP_NUM_THREADS=1), the forward
# distributed by ranges of query rows (FORWARD=whole: every executor computes it whole, as before), then the N = 10^6
# prediction for K = 1, 16, 100 executors from the 1-worker run:
#   T(10^6, K) = s·(F + B) / K + r·(O + T)       s = (10^6 / N)^2, r = 10^6 / N
# F: the forward stages' tasks, B: the blocks (CPU seconds of the tasks' threads: not slowed by other work on the
# cores), both O(N^2) and split over the executors; T: one executor's tape from
# the gathered state (O(N·d^2)) and O: the stages' gathering, broadcasting and scheduling beyond their tasks (O(N·d)
# data), both per executor and linear in N; start-up left out. With FORWARD=whole F is 0 and T is each executor's
# whole O(N^2) forward (scaled by s instead of r). Memory per executor ~ peak RSS · r (inputs, the gathered state,
# the O(N·d) tape and a partition's blocks grow linearly; the JVM's own share does not, so this is an upper bound).
# The explorer's cluster prediction is checked at N itself: before the cluster starts, `bin/jaclab explore --model
# attention --strategies sparseRows --sizes EXPLORE_SIZES --target N --executors K` (the cost model on this machine's
# rates, calibrated at the small sizes: dev.jaclab.explore.ClusterCost) gives its time on K = 1 and 2 executors, printed
# beside the measured job (wall time once the executors registered: the cluster's start is not predicted) with their
# ratio, and the same for the split O(N^2) parts against the CPU seconds of their tasks (load-robust) and for the
# per-executor rest (tape and stage overhead) against the job's wall time less the tasks' share.
# Usage: [FORWARD=rows|whole] [EXPLORE_SIZES=256,1024,2048] bench/spark-bench.sh [N] [PARTITIONS]
#        prints CSV, the explorer's predictions beside the measured times (forward rows only), then the N = 10^6 table
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
here="$root/spark"
n="${1:-65536}"
parts="${2:-32}"
forward="${FORWARD:-rows}"
if [ ! -f "$here/target/jaclab-spark.jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests install) && (cd "$here" && mvn -B -q -DskipTests package)
fi
work="$(mktemp -d)"
trap 'lc_stop; rm -rf "$work"' EXIT
# shellcheck source=spark/local-cluster.sh
. "$here/local-cluster.sh"
export OMP_NUM_THREADS=1
echo "# $(date -u +%FT%TZ), $(getconf _NPROCESSORS_ONLN) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), forward $forward" >&2
sizes="${EXPLORE_SIZES:-256,1024,2048}"
if [ "$forward" = rows ]; then
  for k in 1 2; do   # the explorer's prediction at N on K executors, before the cluster starts
    "$root/bin/jaclab" explore --model attention --strategies sparseRows --sizes "$sizes" --target "$n" --executors "$k" --no-progress \
      --out "$work/explore$k" > "$work/explore$k.log" 2>&1 || { tail -n 20 "$work/explore$k.log" >&2; exit 1; }
    grep '^On a cluster' "$work/explore$k.log" | sed 's/^/# explore: /' >&2
    /usr/bin/python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["recommendation"]["cluster"]
print(",".join(str(c[k]) for k in ("seconds", "forwardSeconds", "blockSeconds", "tapeSecondsPerExecutor", "stageSeconds")))' \
      "$work/explore$k/report.json" > "$work/predicted$k.csv"
  done
fi
echo "workers,N,partitions,executors,wall_s,forward_stages_wall_s,forward_tasks_s,forward_tasks_cpu_s,tape_or_forward_s_per_executor,blocks_s_summed,blocks_cpu_s_summed,peak_rss_mib,start_s,job_s,load_1min"
for k in 1 2; do
  lc_start "$k" 1 8g
  JACLAB_JAVA_OPTS=-Xmx3g "$root/bin/jaclab" jacobian --model attention --n "$n" --strategy sparseRows --master "$master" \
    --forward "$forward" --out "$work/blocks$k" --partitions "$parts" --threads 1 --conf spark.executor.memory=3g \
    --conf spark.cores.max="$k" --conf spark.scheduler.minRegisteredResourcesRatio=1.0 > "$work/driver$k.log" 2>&1 \
    || { tail -n 20 "$work/driver$k.log" >&2; exit 1; }
  lc_stop
  line="$(tr '\r' '\n' < "$work/driver$k.log" | grep "N=$n:")"
  echo "# $line" >&2
  partitions="$(echo "$line" | sed -E 's/.*: ([0-9]+) partitions on ([0-9]+) executor.*/\1,\2/')"
  stages="0,0,0"
  case "$line" in *"distributed forward"*) stages="$(echo "$line" | sed -E 's/.*stages ([0-9.]+) s \(tasks ([0-9.]+) s summed, ([0-9.]+) s CPU.*/\1,\2,\3/')" ;; esac
  perexec="$(echo "$line" | sed -E 's/.*(tape|forward) ([0-9.]+) s per executor.*/\2/')"
  blocks="$(echo "$line" | sed -E 's/.*blocks ([0-9.]+) s summed over partitions \(([0-9.]+) s CPU\).*/\1,\2/')"
  rss="$(echo "$line" | sed -E 's/.*peak RSS (-?[0-9]+) MiB.*/\1/')"
  wall="$(echo "$line" | sed -E 's/.*wall ([0-9.]+) s.*/\1/')"
  startjob="$(echo "$line" | sed -E 's/.*\(start ([0-9.]+) s, job ([0-9.]+) s\).*/\1,\2/')"
  echo "$k,$n,$partitions,$wall,$stages,$perexec,$blocks,$rss,$startjob,$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$work/results.csv"
  rm -rf "$work/blocks$k"
done
if [ "$forward" = rows ]; then
  echo
  echo "# predicted: bin/jaclab explore --executors K (sizes $sizes); measured: the job once the executors registered"
  echo "# split: (F + B) / K predicted vs the tasks' CPU seconds / K; rest: tape + stages' overhead vs job - tasks' wall / K"
  echo "executors,N,predicted_s,measured_job_s,ratio,predicted_split_s,measured_split_cpu_s,ratio_split,predicted_rest_s,measured_rest_s,ratio_rest,load_1min"
  for k in 1 2; do
    paste -d, "$work/predicted$k.csv" <(sed -n "${k}p" "$work/results.csv") | awk -F, '{
      k = $9; pred = $1; sp = ($2 + $3) / k; rest = $4 + $5
      job = $19; cpu = ($13 + $16) / k; restm = job - ($12 + $15) / k - $14
      printf "%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%s\n", k, $7, pred, job, pred / job, sp, cpu, sp / cpu, rest, restm, rest / restm, $20 }'
  done
fi
echo
awk -F, -v n="$n" -v fwd="$forward" 'NR == 1 {
  s = (1e6 / n) ^ 2; r = 1e6 / n; F = $8; B = $11; T = $9; O = $6 - $7; if (O < 0) O = 0; mem = $12 * r
  if (fwd == "whole") { T = T * s / r }
  printf "# N = 10^6 predicted from N = %d on 1 worker (forward %s): stage tasks %.1f s CPU, stage overhead %.1f s, tape/forward %.1f s, blocks %.1f s CPU; s = %.1f, r = %.1f\n", n, fwd, F, O, $9, B, s, r
  print "executors,split_work_s,per_executor_s,total_s,total_h,memory_per_executor_gib"
  split("1 16 100", ks, " ")
  for (i = 1; i <= 3; i++) { k = ks[i]; a = s * (F + B) / k; p = r * (O + T); t = a + p; printf "%d,%.0f,%.0f,%.0f,%.2f,%.1f\n", k, a, p, t, t / 3600, mem / 1024 }
}' "$work/results.csv"
