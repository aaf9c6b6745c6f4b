# Sourced by the Jupyter test scripts: checks the Python modules they need, builds the jar if missing, and installs
# the "jaclab" kernelspec into a temporary Jupyter path (all JUPYTER_* dirs temporary, removed on exit).
# Usage: . test/jupyter-env.sh NAME MODULE...     (sets $here, $py and $tmp)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py=/usr/bin/python3
_name="$1"; shift
"$py" -c "import $(IFS=,; echo "$*")" 2>/dev/null \
  || { echo "$_name: Jupyter ($*) is missing; run ./install.sh as root (it installs the Debian packages)" >&2; exit 1; }
if [ ! -f "$here/target/jaclab-all.jar" ]; then
  echo "==> building target/jaclab-all.jar"
  (cd "$here" && mvn -B -q -DskipTests package)
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export JUPYTER_DATA_DIR="$tmp/data" JUPYTER_CONFIG_DIR="$tmp/config" JUPYTER_RUNTIME_DIR="$tmp/runtime" \
       IPYTHONDIR="$tmp/ipython" JUPYTER_PATH="$tmp/prefix/share/jupyter" PYDEVD_DISABLE_FILE_VALIDATION=1
mkdir -p "$JUPYTER_DATA_DIR" "$JUPYTER_CONFIG_DIR" "$JUPYTER_RUNTIME_DIR" "$IPYTHONDIR"
"$here/install.sh" --no-build --prefix "$tmp/prefix" >/dev/null
