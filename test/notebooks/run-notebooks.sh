#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless against the "jaclab" kernel and checks its outputs.
#   1. installs the kernelspec into a temporary Jupyter path (install.sh --no-build --prefix)
#   2. runs each notebook top to bottom with nbconvert (a cell error fails the run)
#   3. test/notebooks/check_outputs.py: no error outputs, the charts (image/png) and tables (text/html)
#      each notebook is expected to produce, and the quantitative claims of its prose against its printed numbers
#   4. with Chromium installed: the first page of each executed notebook (nbconvert HTML) as a screenshot,
#      target/notebook-pages/NAME.png, for a reviewer to look at
#   Notebooks that train (06) read JACLAB_NOTEBOOK_QUICK: 1 (the default here) trains fewer steps; 0 runs the full recipe.
# Usage: test/notebooks/run-notebooks.sh [--keep DIR] [notebooks/NAME.ipynb ...]
#   (builds target/jaclab-all.jar first if it is missing; --keep DIR leaves the executed copies in DIR)
set -euo pipefail

keep=""
if [ "${1:-}" = "--keep" ]; then
  [ $# -ge 2 ] || { echo "run-notebooks.sh: --keep needs a directory" >&2; exit 2; }
  keep="$2"; shift 2
fi

. "$(dirname "${BASH_SOURCE[0]}")/../jupyter-env.sh" run-notebooks.sh nbconvert nbclient
export JACLAB_NOTEBOOK_QUICK="${JACLAB_NOTEBOOK_QUICK:-1}"

out="${keep:-$tmp/executed}"
mkdir -p "$out"
if [ $# -gt 0 ]; then nbs=("$@"); else nbs=("$here"/notebooks/*.ipynb); fi

status=0
for nb in "${nbs[@]}"; do
  name="$(basename "$nb")"
  echo "==> $name"
  t0=$(date +%s)
  # Run from notebooks/ so that relative paths inside the notebooks resolve the same as in a live session.
  if (cd "$(dirname "$nb")" && "$py" -Xfrozen_modules=off -m jupyter nbconvert --to notebook --execute \
        --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=jaclab \
        --output-dir "$out" --output "$name" "$name") > "$tmp/$name.log" 2>&1; then
    echo "    executed in $(( $(date +%s) - t0 )) s"
  else
    echo "    FAILED after $(( $(date +%s) - t0 )) s:"; sed 's/^/    /' "$tmp/$name.log" | tail -40
    status=1; continue
  fi
  "$py" "$here/test/notebooks/check_outputs.py" "$out/$name" || status=1
  chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
  if [ -n "$chromium" ] && "$py" -m jupyter nbconvert --to html --output-dir "$tmp/html" "$out/$name" > "$tmp/$name.html.log" 2>&1; then
    mkdir -p "$here/target/notebook-pages"
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --user-data-dir="$tmp/chromium" --hide-scrollbars --window-size=1100,2200 \
      --screenshot="$here/target/notebook-pages/${name%.ipynb}.png" "file://$tmp/html/${name%.ipynb}.html" > /dev/null 2>&1 \
      && echo "    page: target/notebook-pages/${name%.ipynb}.png" || echo "    (no page screenshot: Chromium failed)"
  fi
done

[ "$status" = 0 ] && echo "==> notebooks passed" || echo "==> notebooks FAILED" >&2
exit "$status"
