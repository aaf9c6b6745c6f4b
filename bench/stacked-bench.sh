#!/usr/bin/env bash
# Exact per-sample blocks through stacked coupled layers: JacLab against PyTorch's best exact route, in the same run.
# Each configuration in a fresh process, one thread on both sides (OMP_NUM_THREADS=1, torch.set_num_threads(1)), f32.
#
#   bench/stacked-bench.sh            # the table of the README (about 10 minutes on 2 cores)
#   bench/stacked-bench.sh --quick    # N = 1,024 rows only
#   bench/stacked-bench.sh --large    # the rows beyond N = 1,024 only
#   bench/stacked-bench.sh --context  # batch mean / batch norm at N = 65,536: contextForward against forwardSum's cost
#                                     # (the ratio columns there are contextForward / forwardSum)
#
# PyTorch comes from Debian's python3-torch (installed here when missing and run as root; it is a benchmark
# dependency only). Prints CSV: model,N,side,route,seconds,peak_rss_mib,cpu_seconds,ratio_to_torch (wall),
# cpu_ratio_to_torch (process CPU time: the fair ratio when other work shares the cores). JACLAB_WORKERS=2 runs
# JacLab's chunks on two threads (default 1, like PyTorch's side).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "stacked-bench: installing python3-torch and libopenblas0-openmp (Debian packages)" >&2
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch libopenblas0-openmp >&2
  else
    echo "stacked-bench: PyTorch is missing; run: sudo apt-get install -y python3-torch libopenblas0-openmp" >&2
    exit 2
  fi
fi
[ -f target/jaclab-all.jar ] || mvn -B -q -DskipTests package
export OMP_NUM_THREADS=1 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

torch_row() {   # model N repeats -> "seconds,rss,cpu"
  timeout 3600 /usr/bin/python3 bench/torch_blocks.py "$1" "$2" "$3" | awk -F, '{print $4","$5","$6}'
}
jaclab_row() {  # model N strategy repeats -> "seconds,rss,cpu" (Jacobian + forward, as PyTorch's include the forward)
  timeout 3600 java -Xmx8g -Djava.awt.headless=true -cp target/jaclab-all.jar dev.jaclab.cli.JacobianBench "$1" "$2" "$3" "$4" 16g \
    | awk -F, '$4=="ok" {printf "%.4f,%s,%.4f\n", $5+$6, $8, $10+$6}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.1f", a/b }'; }

echo "model,N,side,route,seconds,peak_rss_mib,cpu_seconds,ratio_to_torch,cpu_ratio_to_torch"
compare() {     # model N torchRepeats jaclabStrategy jaclabRepeats
  local t j
  t=$(torch_row "$1" "$2" "$3")
  echo "$1,$2,pytorch,best exact,$t,1.0,1.0"
  for s in $4; do
    j=$(jaclab_row "$1" "$2" "$s" "$5")
    echo "$1,$2,jaclab,$s,$j,$(ratio "${t%%,*}" "${j%%,*}"),$(ratio "${t##*,}" "${j##*,}")"
  done
}
alone() {       # model N strategy repeats
  local j
  j=$(jaclab_row "$1" "$2" "$3" "$4")
  echo "$1,$2,jaclab,$3,$j,,"
}

context() {     # N: coupling through batch-wide sums, exact contextForward against the (wrong) sum trick's cost
  local f j
  for m in globalMean batchNorm; do
    f=$(jaclab_row "$m" "$1" unchecked:forwardSum 5)
    echo "$m,$1,jaclab,forwardSum (sum trick: wrong blocks; the cost reference),$f,1.0,1.0"
    j=$(jaclab_row "$m" "$1" contextForward 5)
    echo "$m,$1,jaclab,contextForward (exact),$j,$(ratio "${j%%,*}" "${f%%,*}")×,$(ratio "${j##*,}" "${f##*,}")×"
  done
}

if [ "${1:-}" = "--context" ]; then context 65536; exit 0; fi
if [ "${1:-}" != "--large" ]; then
compare attention2 1024 1 "meetInMiddle sparseRows" 3
compare attention 1024 1 "sparseRows meetInMiddle" 5
compare dense 1024 1 "sparseRows" 3
[ "$quick" = 1 ] && exit 0
fi
compare attention4 1024 1 "meetInMiddle" 1
t=$(torch_row denseClosedForm 4096 5)
echo "dense,4096,pytorch,closed form,$t,"
compare dense 4096 1 "sparseRows" 3
alone attention2 4096 meetInMiddle 3
alone attention 4096 sparseRows 5
alone attention2 16384 meetInMiddle 1
context 65536

