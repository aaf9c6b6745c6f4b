# The JVM settings of every JacLab launcher — the Jupyter kernel (install.sh writes them into its kernelspec),
# bin/jaclab and the benchmarks that measure what a user gets (bench/independent-bench.sh). Sourced, not run:
#
#   . bin/lib/jvm.sh
#   MALLOC_MMAP_THRESHOLD_=$JACLAB_MALLOC_MMAP MALLOC_TRIM_THRESHOLD_=$JACLAB_MALLOC_TRIM java $(jaclab_jvm_opts "-Xmx6g") ...
#
# Serial collector and a 64 MiB initial heap: JacLab's Java heap holds small wrappers (the arrays live off-heap), and
# every ND4J array leaves a JavaCPP pointer that only a collection frees. G1, the default, grows its young generation
# to a large share of a heap sized from the machine's memory: 1,000 Adam steps on the PINN grew the process to 428 MiB
# (227 MiB with these settings) and y = sin(x)'s Jacobian at N = 16,384, called in a loop, to 254–363 MiB for a job
# whose arrays are a few MiB (145 MiB with these settings, and 0.34 instead of 0.48 ms a call: the serial collector's
# barriers are cheaper). Options the user passes that name a collector or an initial heap replace these.
# glibc keeps freed buffers under 64 MiB in its heap for the next op instead of unmapping them (fresh op outputs
# otherwise page-fault again every step; bench/pinn-bench.sh); the caller exports these two (MALLOC_* set already win).

JACLAB_GC="-XX:+UseSerialGC"
JACLAB_HEAP="-Xms64m"
JACLAB_MALLOC_MMAP="${MALLOC_MMAP_THRESHOLD_:-67108864}"
JACLAB_MALLOC_TRIM="${MALLOC_TRIM_THRESHOLD_:-268435456}"

# The JVM options for a launch: the collector and initial heap above unless the user's options ($1) name their own,
# then the user's options.
jaclab_jvm_opts() {
  local gc="$JACLAB_GC" heap="$JACLAB_HEAP"
  case "${1:-}" in *Use*GC*) gc= ;; esac
  case "${1:-}" in *-Xms*) heap= ;; esac
  echo "$gc $heap ${1:-}"
}
