#!/usr/bin/env bash
# Core benchmark: per-op overhead of Tensor vs raw ND4J on (1024,3) f32, and forward/backward of a 3-64-64-3 tanh
# MLP at several N (each N in a fresh JVM so its peak RSS is its own). Prints a markdown table.
# Usage: bench/core-bench.sh [N ...]      (default: 1024 16384 262144 1048576)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -Dstyle.color=never test-compile >/dev/null 2>&1 || { echo "build failed: run mvn test-compile"; exit 1; }
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null 2>&1
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
JAVA_OPTS="${JAVA_OPTS:--Xmx2g}"
run() { java $JAVA_OPTS -cp "$CP" dev.jaclab.bench.CoreBench "$@" 2>/dev/null | grep '^RESULT' | cut -d' ' -f2-; }
SIZES=("$@"); [ ${#SIZES[@]} -eq 0 ] && SIZES=(1024 16384 262144 1048576)

echo "### Per-op overhead, (1024,3) float32, median µs"
echo
echo "| op | Tensor (constant) | Tensor (recorded) | raw ND4J | ratio Tensor/raw |"
echo "|---|---|---|---|---|"
run ops | awk -F'|' '{printf "| %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6}'
echo
echo "### MLP 3-64-64-3 tanh, float32, forward (recorded) + backward of sum(y), medians"
echo
echo "| N | forward ms | backward ms | backward/forward | peak RSS MiB |"
echo "|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  reps=21; [ "$n" -ge 262144 ] && reps=5; [ "$n" -ge 1048576 ] && reps=3
  run mlp "$n" "$reps" | awk -F'|' '{printf "| %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6}'
done
