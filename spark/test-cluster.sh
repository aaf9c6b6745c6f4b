#!/usr/bin/env bash
# A real Spark standalone cluster on localhost: a master and two workers started from the Maven-resolved Spark jars
# (a SPARK_HOME whose jars/ holds spark/target/lib, from mvn dependency:copy-dependencies). It
#   1. runs bin/jaclab jacobian for N = 4096 attention blocks across both workers — the forward by ranges of query rows
#      (distributed, layer by layer), then the blocks — and compares the shards with the blocks computed in one JVM
#      (ShardCheck, 1e-6 of the largest entry, float32);
#   2. the same for two stacked attention layers (meetInMiddle, N = 1024; 1e-5: through two layers float32 blocks move
#      by ~1e-6 of the largest entry between chunk groupings even in one JVM);
#   3. runs the first job again, kills worker 2 and its executor (SIGKILL) while that executor runs a task, and checks
#      that Spark's retries finish the job with the same blocks, every partition once, no partial or temporary files.
# Usage: spark/test-cluster.sh   (builds the core and the spark module first if spark/target/jaclab-spark.jar is missing)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [ ! -f "$here/target/jaclab-spark.jar" ] || [ ! -d "$here/target/lib" ]; then
  echo "==> building the core (mvn install) and the spark module"
  (cd "$root" && mvn -B -q -DskipTests install)
  (cd "$here" && mvn -B -q -DskipTests package)
fi
work="$(mktemp -d)"
cleanup() {
  lc_stop
  if [ "${KEEP_CLUSTER_LOGS:-}" = 1 ]; then echo "logs in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "test-cluster: FAILED: $*" >&2; for f in "$work"/*.log; do echo "--- $f"; tail -n 20 "$f"; done >&2; exit 1; }
# shellcheck source=spark/local-cluster.sh
. "$here/local-cluster.sh"
export OMP_NUM_THREADS=1
# executors log their tasks (the kill waits for "Running task" in worker 2's executor log)
cat > "$work/executor-log4j2.properties" <<'PROPS'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = info
PROPS

echo "==> two workers (1 core each) from $here/target/lib"
lc_start 2 1 3g || fail "the cluster did not start"
echo "    master $master"

job() {   # out-dir partitions log [model n strategy] (tasks start once both executors have registered)
  JACLAB_JAVA_OPTS=-Xmx2g "$root/bin/jaclab" jacobian --model "${4:-attention}" --n "${5:-4096}" --strategy "${6:-sparseRows}" --master "$master" \
    --out "$1" --partitions "$2" --threads 1 --conf spark.executor.memory=1g --conf spark.task.maxFailures=4 \
    --conf spark.cores.max=2 --conf spark.scheduler.minRegisteredResourcesRatio=1.0 --conf spark.scheduler.maxRegisteredResourcesWaitingTime=120s \
    --conf "spark.executor.extraJavaOptions=-Dlog4j.configurationFile=file:$work/executor-log4j2.properties" > "$3" 2>&1
}
check() {   # out-dir partitions [model n strategy tolerance]
  # shellcheck disable=SC2086
  java -Xmx2g $opens -cp "$here/target/jaclab-spark.jar:$here/target/lib/*" dev.jaclab.spark.ShardCheck "${3:-attention}" "${4:-4096}" 1 \
    "${5:-sparseRows}" "$1" "${6:-1e-6}" \
    || fail "the shards in $1 differ from the single-JVM blocks"
  [ "$(tail -n +2 "$1/shards.csv" | wc -l)" = "$2" ] || fail "shards.csv does not list $2 partitions"
  [ "$(find "$1" -name 'part-*.npy' | wc -l)" = "$2" ] || fail "$1 does not hold exactly $2 shards"
  [ -z "$(find "$1" -name '*.tmp')" ] || fail "temporary files left in $1"
}

echo "==> N = 4096 attention blocks across both workers"
job "$work/blocks" 16 "$work/driver1.log" || fail "the job failed"
grep -q "on 2 executor(s)" "$work/driver1.log" || fail "the job did not use both workers: $(grep 'N=4096' "$work/driver1.log")"
grep -q "distributed forward 2 stages" "$work/driver1.log" || fail "the forward was not distributed: $(grep 'N=4096' "$work/driver1.log")"
grep "N=4096" "$work/driver1.log"
check "$work/blocks" 16

echo "==> N = 1024, two attention layers (meetInMiddle) across both workers"
job "$work/blocks-2l" 8 "$work/driver-2l.log" attention2 1024 meetInMiddle || fail "the two-layer job failed"
grep -q "on 2 executor(s), distributed forward 3 stages" "$work/driver-2l.log" || fail "two layers: $(grep 'N=1024' "$work/driver-2l.log")"
grep "N=1024" "$work/driver-2l.log"
check "$work/blocks-2l" 8 attention2 1024 meetInMiddle 1e-5

echo "==> the same job, worker 2 killed while its executor runs a task"
old_apps="$(ls -d "$work"/w2/app-* 2>/dev/null || true)"
job "$work/blocks2" 64 "$work/driver2.log" &
driver=$!
killed=0
for _ in $(seq 1 1200); do
  running=0
  for a in "$work"/w2/app-*; do
    case "$old_apps" in *"$a"*) continue ;; esac
    grep -qs "Running task" "$a"/*/stderr && running=1
  done
  if [ "$running" = 1 ]; then
    for c in $(pgrep -P "$worker2" || true); do kill -9 "$c"; done
    kill -9 "$worker2"
    killed=1
    echo "killed worker 2 (pid $worker2) and its executor"
    break
  fi
  kill -0 "$driver" 2>/dev/null || break
  sleep 0.1
done
wait "$driver" || fail "the job did not survive the lost worker"
[ "$killed" = 1 ] || fail "the job finished before worker 2 ran a task (nothing was killed)"
grep -Eq "Lost task|Lost executor|ExecutorLostFailure" "$work/driver2.log" || fail "the driver saw no lost task or executor"
grep -E "Lost (task|executor)" "$work/driver2.log" | head -2
grep "N=4096" "$work/driver2.log"
check "$work/blocks2" 64
echo "==> cluster test passed"
