#!/usr/bin/env bash
# Kernel tests against the built jar: installs the "jaclab" kernelspec into a temporary Jupyter path, then runs
#   1. the protocol suite  test/kernel/test_kernel.py  (jupyter_kernel_test + lifecycle checks)
#   2. the real-browser test  test/browser/notebook.test.mjs  (Chromium + jupyter notebook)
# Usage: test/kernel-tests.sh [--no-browser]     (builds target/jaclab-all.jar first if it is missing)
set -euo pipefail

browser=1
[ "${1:-}" = "--no-browser" ] && browser=0

. "$(dirname "${BASH_SOURCE[0]}")/jupyter-env.sh" kernel-tests.sh jupyter_kernel_test notebook

echo "==> protocol tests (test/kernel)"
(cd "$here" && "$py" -Xfrozen_modules=off -m unittest discover -s test/kernel -v)

if [ "$browser" = 1 ]; then
  echo "==> browser test (test/browser)"
  command -v node >/dev/null || { echo "kernel-tests.sh: node is missing (apt-get install -y nodejs npm)" >&2; exit 1; }
  [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] \
    || { echo "kernel-tests.sh: chromium is missing (apt-get install -y chromium)" >&2; exit 1; }
  (cd "$here/test/browser" && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; } && node notebook.test.mjs)
fi
echo "==> kernel tests passed"
