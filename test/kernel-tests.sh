#!/usr/bin/env bash
# Kernel tests against the built jar: installs the "jaclab" kernelspec into a temporary Jupyter path, then runs
#   1. the protocol suites  test/kernel/test_kernel.py (jupyter_kernel_test + lifecycle checks) and test_widgets.py
#   2. the real-browser tests  test/browser/notebook.test.mjs and widgets.test.mjs  (Chromium driving the server
#      `bin/jaclab notebook` starts, with its Jupyter directories inside the temporary path)
# Usage: test/kernel-tests.sh [--no-browser]     (builds target/jaclab-all.jar first if it is missing)
# test/all.sh installs what these need (Debian packages, the browser test's npm packages).
set -euo pipefail

browser=1
[ "${1:-}" = "--no-browser" ] && browser=0

. "$(dirname "${BASH_SOURCE[0]}")/jupyter-env.sh" kernel-tests.sh jupyter_kernel_test notebook nbclient

echo "==> protocol tests (test/kernel)"
(cd "$here" && "$py" -Xfrozen_modules=off -m unittest discover -s test/kernel -v)

if [ "$browser" = 1 ]; then
  echo "==> browser test (test/browser)"
  command -v node >/dev/null || die "node is missing; test/all.sh installs it (apt-get install -y nodejs npm)"
  CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
  [ -n "$CHROMIUM" ] || die "chromium is missing; test/all.sh installs it (apt-get install -y chromium)"
  export CHROMIUM JACLAB_PYTHON="$py"
  (cd "$here/test/browser" && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; } && node notebook.test.mjs && node widgets.test.mjs)
fi
echo "==> kernel tests passed"
