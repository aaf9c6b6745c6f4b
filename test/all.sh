#!/usr/bin/env bash
# The whole test suite (the README's test command). First installs what the tests need beyond
# `bin/jaclab notebook` (as root on Debian; otherwise it prints the command) and says what it installs:
# Debian packages (Chromium, Node.js/npm, the Jupyter test packages, whatever the first command would install)
# and the browser test's npm packages (test/browser, `npm ci`). Then runs JUnit (mvn install: verify, then the core
# into the local Maven repository for the spark module), the Jupyter kernel against real Jupyter (protocol tests and a
# real browser), every notebook executed headless, and the Spark module: its JUnit tests and a real standalone cluster
# on localhost (spark/test-cluster.sh; JACLAB_SKIP_SPARK=1 skips both).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. "$here/bin/lib/setup.sh" test/all.sh

command -v java >/dev/null || want_package openjdk-17-jdk-headless "Java 17 runs JacLab"
command -v mvn >/dev/null || want_package maven "Maven builds and runs the JUnit tests"
py_has jupyter_client notebook || want_package jupyter-notebook "the browser test drives Jupyter Notebook"
jupyter_has kernelspec || want_package jupyter-client "'jupyter kernelspec' installs the test kernelspec"
py_has jupyter_kernel_test || want_package python3-jupyter-kernel-test "the kernel protocol tests (test/kernel)"
py_has nbclient || want_package python3-nbclient "the notebooks run headless (test/notebooks)"
jupyter_has nbconvert || want_package jupyter-nbconvert "the notebooks run headless (test/notebooks)"
[ -f /usr/share/jupyter/nbextensions/jupyter-js-widgets/extension.js ] \
  || want_package jupyter-nbextension-jupyter-js-widgets "the widget browser test (test/browser/widgets.test.mjs)"
command -v dot >/dev/null || want_package graphviz "notebook 03 draws the tape with Graphviz dot"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$chromium" ] || want_package chromium "the browser test (test/browser) runs headless Chromium"
command -v node >/dev/null || want_package nodejs "the browser test runs on Node.js"
command -v npm >/dev/null || want_package npm "npm installs the browser test's packages"
if nothing_wanted; then say "the packages the tests need are installed"; else install_wanted; fi
check_java

if [ ! -d test/browser/node_modules/playwright-core ]; then
  say "installing the browser test's npm packages (test/browser: npm ci, playwright-core driving the system Chromium)"
  (cd test/browser && npm ci --no-audit --no-fund)
fi

echo "==> JUnit (mvn -B install: verify, then the core into the local Maven repository for the spark module)"
mvn -B install
echo "==> kernel tests"
test/kernel-tests.sh
echo "==> notebooks"
test/notebooks/run-notebooks.sh
if [ "${JACLAB_SKIP_SPARK:-}" != 1 ]; then
  echo "==> Spark module (mvn -B package in spark/: JUnit on an embedded local[2] Spark)"
  (cd spark && mvn -B package)
  echo "==> Spark standalone cluster on localhost"
  spark/test-cluster.sh
fi
echo "==> all tests passed"
