# Sourced by spark/test-cluster.sh and bench/spark-bench.sh: a Spark standalone master and workers on localhost from
# the Maven-resolved jars. Spark builds its executors' class path from $SPARK_HOME/jars, so SPARK_HOME is a directory
# whose jars/ links every jar of spark/target/lib (mvn dependency:copy-dependencies); JacLab's own jars reach the
# executors through spark.executor.extraClassPath, which bin/jaclab sets to its class path.
# Needs: $here (the spark/ directory), $work (a scratch directory). Sets: $master, $opens, worker pids in $worker1...
lc_pids=()
opens="$(cat "$here/java17-opens.txt")"
export SPARK_HOME="$work/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
ln -sf "$here"/target/lib/*.jar "$SPARK_HOME/jars/"

lc_wait_for() {   # file pattern seconds
  for _ in $(seq 1 $(( $3 * 5 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}

lc_stop() {   # kills what it started (and the workers' executors), by process id
  for p in "${lc_pids[@]}"; do
    for c in $(pgrep -P "$p" 2>/dev/null || true); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
  lc_pids=()
}

lc_start() {   # workers cores-per-worker worker-memory
  local port w
  port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  master="spark://127.0.0.1:$port"
  # shellcheck disable=SC2086
  java -Xmx512m $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
    --webui-port 0 > "$work/master.log" 2>&1 &
  lc_pids+=($!)
  disown
  lc_wait_for "$work/master.log" "I have been elected leader" 60 || { echo "the master did not start" >&2; return 1; }
  for w in $(seq 1 "$1"); do
    mkdir -p "$work/w$w"
    # shellcheck disable=SC2086
    java -Xmx512m $opens -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$2" \
      --memory "$3" --work-dir "$work/w$w" --webui-port 0 "$master" > "$work/worker$w.log" 2>&1 &
    lc_pids+=($!)
    eval "worker$w=$!"
    disown
  done
  for w in $(seq 1 "$1"); do
    lc_wait_for "$work/worker$w.log" "Successfully registered with master" 60 || { echo "worker $w did not register" >&2; return 1; }
  done
}
