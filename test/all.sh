#!/usr/bin/env bash
# The whole test suite (the README's test command): JUnit (mvn verify), then the Jupyter kernel against real
# Jupyter (protocol tests and a real browser), then every notebook executed headless.
# Needs ./install.sh to have run once (it builds the jar and installs Jupyter from the OS packages).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
echo "==> JUnit (mvn -B verify)"
mvn -B verify
if [ -x test/kernel-tests.sh ]; then
  echo "==> kernel tests"
  test/kernel-tests.sh
fi
if [ -x test/notebooks/run-notebooks.sh ]; then
  echo "==> notebooks"
  test/notebooks/run-notebooks.sh
fi
echo "==> all tests passed"
