#!/usr/bin/env bash
# Per-strategy benchmark: each configuration in a fresh JVM (peak RSS is its own). Prints CSV.
# Usage: bench/jacobian-bench.sh [CONFIG_FILE]   (lines: model N strategy [repeats] [budget]); default below.
# bench/issue-configs.txt is the full table of the project notes. chunkedEstimate times one chunk of chunked(256) and
# scales it (the exact O(N^3) run takes hours beyond N = 1024 for attention). bench/issue4-configs.txt is the
# row-sparse strategy's table (attention up to N = 65536, the forum's dense model). ND4J's thread count comes from the
# environment: OMP_NUM_THREADS=1 bench/jacobian-bench.sh ... measures single-threaded native ops.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/jaclab-all.jar ] || mvn -B -q -DskipTests package
configs=${1:-}
default="sin 1024 forwardSum 3
sin 16384 forwardSum 3
sin 262144 forwardSum 3
sin 1048576 forwardSum 3
sin 1024 reverseSum 3
sin 1048576 reverseSum 3
mlp 1024 forwardSum 3
mlp 16384 forwardSum 3
mlp 262144 forwardSum 3
mlp 1048576 forwardSum 3
mlp 1048576 reverseSum 3
mlp 1024 sparseRows 3
attention 256 chunked 3
attention 256 sparseRows 3
attention 1024 chunkedEstimate 1
attention 1024 sparseRows 3
attention 4096 sparseRows 1
attention 4096 fullBatched 1 8g
attention 16384 sparseRows 1
attentionPlain 1024 sparseRows 1
attentionPlain 4096 sparseRows 1
dense 256 chunked 1
dense 256 sparseRows 1
dense 1024 chunked 1
dense 1024 sparseRows 1"
echo "model,N,strategy,status,seconds,forward_seconds,ratio,peak_rss_mib,backend,cpu_seconds,peak_growth_mib"
while read -r model n strategy repeats budget; do
  [ -n "$model" ] || continue
  timeout 1800 java -Xmx4g -Djava.awt.headless=true -cp target/jaclab-all.jar dev.jaclab.cli.JacobianBench \
    "$model" "$n" "$strategy" "${repeats:-1}" "${budget:-12g}" 2>/dev/null \
    || echo "$model,$n,$strategy,failed(rc=$?),,,,,"
done < <(if [ -n "$configs" ]; then cat "$configs"; else echo "$default"; fi)
