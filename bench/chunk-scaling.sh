#!/usr/bin/env bash
# The inputs of the expected scaling of the chunk workers (README, "Jacobian.parallelism on many cores"):
#   1. the machine's memory bandwidth: NumPy copies of 256 MiB arrays (STREAM "copy": bytes read + written) in 1 and
#      in 2 processes at once;
#   2. sparseRows(C) on one attention layer, N samples (default 16384), C in 48 and 256, on 1 and 2 chunk workers
#      (JACLAB_WORKERS, OMP_NUM_THREADS=1): the blocks' seconds and CPU seconds (all threads; robust where other work
#      shares the cores), the CPU seconds per chunk and the memory traffic a chunk
#      makes, from the fused kernel's passes over its (C/m rows distinct, C rows in all) × N softmax block: scores
#      gemm (write C/m·N), softmax in place (read + write C/m·N), copy to the C seeds (read C/m·N, write C·N), the dS
#      gemm (write C·N), dS ⊙ P (read 2·C·N, write C·N), dS·K (read C·N): ≈ (4/m + 6)·C·N·4 bytes in float32.
# A chunk whose block fits a core's cache (C = 48 at N = 16384: 3 MiB) moves little of that to memory; C = 256
# (16 MiB) streams it. A busy core's demand is MB_per_chunk / cpu_s_per_chunk; P cores speed up by about
# min(P, machine bandwidth / that demand). Usage: [REPEATS=3] bench/chunk-scaling.sh [N]        prints CSV
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-16384}"
[ -f target/jaclab-all.jar ] || mvn -B -q -DskipTests package
export OMP_NUM_THREADS=1
echo "# $(date -u +%FT%TZ), $(getconf _NPROCESSORS_ONLN) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
bw() { /usr/bin/python3 -c '
import numpy as np, time
a = np.ones(64 << 20, np.float32); b = np.empty_like(a); best = 0
for _ in range(8):
    t = time.perf_counter(); np.copyto(b, a); dt = time.perf_counter() - t; best = max(best, 2 * a.nbytes / dt)
print("%.2f" % (best / 1e9))'; }
echo "measure,processes_or_workers,value"
echo "bandwidth_GBps,1,$(bw)"
bw > /tmp/chunk-scaling-bw.$$ & b2="$(bw)"; wait; echo "bandwidth_GBps_each,2,$b2 $(cat /tmp/chunk-scaling-bw.$$)"; rm -f /tmp/chunk-scaling-bw.$$
echo
echo "N,C,workers,blocks_s,blocks_cpu_s,chunks,cpu_s_per_chunk,MB_per_chunk,GBps_per_busy_core"
for c in 48 256; do
  for w in 1 2; do
    line="$(JACLAB_WORKERS=$w java -Xmx4g -cp target/jaclab-all.jar dev.jaclab.cli.JacobianBench attention "$n" "sparseRows($c)" "${REPEATS:-1}" 2>/dev/null)"
    secs="$(echo "$line" | cut -d, -f5)" cpu="$(echo "$line" | cut -d, -f10)"
    awk -v n="$n" -v c="$c" -v w="$w" -v s="$secs" -v cpu="$cpu" 'BEGIN {
      m = 3; chunks = int((n * m + c - 1) / c); per = cpu / chunks; mb = (4 / m + 6) * c * n * 4 / 1e6
      printf "%d,%d,%d,%.3f,%.3f,%d,%.4f,%.1f,%.2f\n", n, c, w, s, cpu, chunks, per, mb, mb / 1e3 / per }'
  done
done
