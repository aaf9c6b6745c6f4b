#!/usr/bin/env bash
# PINN benchmark: the 2-D Poisson PINN of notebooks/06 (MLP 2-64-64-1 tanh, Laplacian by second derivatives, Adam, then
# L-BFGS with a strong-Wolfe line search) in JacLab and in PyTorch (Debian python3-torch), float32, one thread each
# (OMP_NUM_THREADS=1, torch.set_num_threads(1)), each measurement in a fresh process so its peak RSS is its own; the
# JVM runs as the kernel does (serial GC, a 64 MiB initial heap, glibc's malloc keeping freed buffers for reuse), with
# -Xmx1g unless JAVA_OPTS says otherwise.
# Installs python3-torch and libopenblas0-openmp when missing (as root on Debian). Prints markdown tables.
# Usage: [WARMUP=100] bench/pinn-bench.sh [--no-recipe] [N ...]   (default N: 1024 4096; the recipe: 1,500 Adam + 500 L-BFGS)
set -euo pipefail
cd "$(dirname "$0")/.."
recipe=1
if [ "${1:-}" = "--no-recipe" ]; then recipe=0; shift; fi
SIZES=("$@"); [ ${#SIZES[@]} -eq 0 ] && SIZES=(1024 4096)
# warm-up steps before the timed ones, the same on both sides: the JVM's compilers are still at work after the first
# few dozen steps on a busy machine, and their threads share the stepping thread's slice of the CPU
WARMUP="${WARMUP:-100}"
py=/usr/bin/python3
openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp
if ! "$py" -c 'import torch' 2>/dev/null || [ ! -d "$openblas" ]; then
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
    echo "==> installing python3-torch libopenblas0-openmp (Debian packages)" >&2
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch libopenblas0-openmp >&2
  else
    echo "pinn-bench: PyTorch is missing: sudo apt-get install -y python3-torch libopenblas0-openmp" >&2; exit 1
  fi
fi
mvn -q -B -Dstyle.color=never test-compile >/dev/null 2>&1 || { echo "build failed: run mvn test-compile"; exit 1; }
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null 2>&1
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
export OMP_NUM_THREADS=1
# the JVM as kernel/kernel.json runs it: glibc keeps freed buffers under 64 MiB for reuse (no page faults per op); the
# heap starts at 64 MiB, so the old generation is collected while it is small: every ND4J array leaves a JavaCPP
# shape-info pointer that only a collection frees, and a default initial heap (1/64 of RAM) fills with them first
# (Adam alone: 428 vs 227 MiB after 1,000 steps); PyTorch runs as it ships
mmap="${MALLOC_MMAP_THRESHOLD_:-67108864}" trim="${MALLOC_TRIM_THRESHOLD_:-268435456}"
jaclab() { MALLOC_MMAP_THRESHOLD_=$mmap MALLOC_TRIM_THRESHOLD_=$trim java ${JAVA_OPTS:--Xmx1g -Xms64m -XX:+UseSerialGC} -cp "$CP" dev.jaclab.bench.PinnBench "$@" 2>/dev/null | grep '^RESULT' | cut -d' ' -f2-; }
torch() { LD_LIBRARY_PATH="$openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$py" bench/pinn_bench.py "$@" | grep '^RESULT' | cut -d' ' -f2-; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "### PINN training step (forward, Laplacian, loss, backward, Adam), float32, one thread, median of 21 after $WARMUP warm-up steps"
echo "(wall and CPU time of the stepping thread; on a busy machine the CPU time is the steadier figure)"
echo
echo "| N | JacLab ms (CPU) | PyTorch ms (CPU) | JacLab / PyTorch wall (CPU) | JacLab peak RSS MiB | PyTorch peak RSS MiB |"
echo "|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  IFS='|' read -r _ _ jms jcpu jrss <<< "$(jaclab step "$n" 21 "$WARMUP")"
  IFS='|' read -r _ _ tms tcpu trss <<< "$(torch step "$n" 21 "$WARMUP")"
  echo "| $n | $jms ($jcpu) | $tms ($tcpu) | $(ratio "$jms" "$tms") ($(ratio "$jcpu" "$tcpu")) | $jrss | $trss |"
done
if [ "$recipe" = 1 ]; then
  echo
  echo "### Notebook 06 recipe: 1,024 points, 1,500 Adam steps then up to 500 L-BFGS iterations (strong Wolfe, history 50)"
  echo
  echo "| | seconds (CPU) | relative L2 error (64×64 grid) | L-BFGS iterations | loss evaluations | peak RSS MiB |"
  echo "|---|---|---|---|---|---|"
  IFS='|' read -r _ s c e it ev rss <<< "$(jaclab recipe 1500 500)"; echo "| JacLab | $s ($c) | $e | $it | $ev | $rss |"
  IFS='|' read -r _ s c e it ev rss <<< "$(torch recipe 1500 500)"; echo "| PyTorch | $s ($c) | $e | $it | $ev | $rss |"
fi
