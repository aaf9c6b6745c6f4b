# Sourced by the Jupyter test scripts: checks the Python modules they need, builds the jar if missing, and installs
# the "jaclab" kernelspec into a temporary Jupyter path (all JUPYTER_* dirs temporary, removed on exit).
# Usage: . test/jupyter-env.sh NAME MODULE...     (sets $here, $py and $tmp)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_name="$1"; shift
. "$here/bin/lib/setup.sh" "$_name"
py_has "$@" || die "Jupyter ($*) is missing for $py; test/all.sh installs what the tests need (as root on Debian)"
if [ ! -f "$here/target/jaclab-all.jar" ]; then
  echo "==> building target/jaclab-all.jar"
  (cd "$here" && mvn -B -q -DskipTests package)
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export JUPYTER_DATA_DIR="$tmp/data" JUPYTER_CONFIG_DIR="$tmp/config" JUPYTER_RUNTIME_DIR="$tmp/runtime" \
       IPYTHONDIR="$tmp/ipython" JUPYTER_PATH="$tmp/prefix/share/jupyter" PYDEVD_DISABLE_FILE_VALIDATION=1
mkdir -p "$JUPYTER_DATA_DIR" "$JUPYTER_CONFIG_DIR" "$JUPYTER_RUNTIME_DIR" "$IPYTHONDIR"
JACLAB_NO_APT=1 "$here/install.sh" --no-build --prefix "$tmp/prefix" >/dev/null
