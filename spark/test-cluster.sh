#!/usr/bin/env bash
# A real Spark standalone cluster on localhost: a master and two workers started from the Maven-resolved Spark jars
# (a SPARK_HOME whose jars/ holds spark/target/lib, from mvn dependency:copy-dependencies). It
#   1. runs bin/jaclab jacobian for N = 4096 attention blocks across both workers and compares the shards with the
#      blocks computed in one JVM (ShardCheck, 1e-6 of the largest entry, float32);
#   2. runs the job again, kills worker 2 and its executor (SIGKILL) while that executor runs a task, and checks that
#      Spark's retries finish the job with the same blocks, every partition once, no partial or temporary files.
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
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    for c in $(pgrep -P "$p" 2>/dev/null || true); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ "${KEEP_CLUSTER_LOGS:-}" = 1 ]; then echo "logs in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "test-cluster: FAILED: $*" >&2; for f in "$work"/*.log; do echo "--- $f"; tail -n 20 "$f"; done >&2; exit 1; }

opens="$(cat "$here/java17-opens.txt")"
export SPARK_HOME="$work/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 OMP_NUM_THREADS=1
mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
ln -s "$here"/target/lib/*.jar "$SPARK_HOME/jars/"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
master="spark://127.0.0.1:$port"
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

wait_for() {   # file pattern seconds
  for _ in $(seq 1 $(( $3 * 5 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}

echo "==> master $master and two workers (1 core each) from $here/target/lib"
# shellcheck disable=SC2086
java -Xmx512m $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
  > "$work/master.log" 2>&1 &
pids+=($!)
wait_for "$work/master.log" "I have been elected leader" 60 || fail "the master did not start"
for w in 1 2; do
  mkdir -p "$work/w$w"
  # shellcheck disable=SC2086
  java -Xmx512m $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 3g \
    --work-dir "$work/w$w" --webui-port 0 "$master" > "$work/worker$w.log" 2>&1 &
  pids+=($!)
  eval "worker$w=$!"
  disown
done
for w in 1 2; do wait_for "$work/worker$w.log" "Successfully registered with master" 60 || fail "worker $w did not register"; done

job() {   # out-dir partitions log
  JACLAB_JAVA_OPTS=-Xmx2g "$root/bin/jaclab" jacobian --model attention --n 4096 --strategy sparseRows --master "$master" \
    --out "$1" --partitions "$2" --threads 1 --conf spark.executor.memory=1g --conf spark.task.maxFailures=4 \
    --conf "spark.executor.extraJavaOptions=-Dlog4j.configurationFile=file:$work/executor-log4j2.properties" > "$3" 2>&1
}
check() {   # out-dir partitions
  # shellcheck disable=SC2086
  java -Xmx2g $opens -cp "$here/target/jaclab-spark.jar:$here/target/lib/*" dev.jaclab.spark.ShardCheck attention 4096 1 sparseRows "$1" 1e-6 \
    || fail "the shards in $1 differ from the single-JVM blocks"
  [ "$(tail -n +2 "$1/shards.csv" | wc -l)" = "$2" ] || fail "shards.csv does not list $2 partitions"
  [ "$(find "$1" -name 'part-*.npy' | wc -l)" = "$2" ] || fail "$1 does not hold exactly $2 shards"
  [ -z "$(find "$1" -name '*.tmp')" ] || fail "temporary files left in $1"
}

echo "==> N = 4096 attention blocks across both workers"
job "$work/blocks" 16 "$work/driver1.log" || fail "the job failed"
grep -q "on 2 executor(s)" "$work/driver1.log" || fail "the job did not use both workers: $(grep 'N=4096' "$work/driver1.log")"
grep "N=4096" "$work/driver1.log"
check "$work/blocks" 16

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
