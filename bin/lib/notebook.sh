#!/usr/bin/env bash
# `bin/jaclab notebook`: sets JacLab up (install.sh: Java/Maven checks, the jar when missing or stale, Jupyter and
# Graphviz when missing, the "jaclab" kernelspec), then starts Jupyter Notebook on notebooks/ with the JacLab kernel
# as the default, on 127.0.0.1 with a fresh token, and prints the URL.
#
#   bin/jaclab notebook                  # set up, start, open a browser
#   bin/jaclab notebook --no-browser     # print the URL only
#   bin/jaclab notebook --port 9999      # that port (default: 8888, or the next free one)
#   bin/jaclab notebook --dir DIR        # serve DIR instead of notebooks/
#   bin/jaclab notebook --setup-only     # set up and stop (what CI runs)
#   bin/jaclab notebook --rebuild        # rebuild the jar first even when it is up to date
#   bin/jaclab notebook --cuda           # build with the ND4J CUDA backend (see GPU in the README)
#   bin/jaclab notebook -- ARGS...       # more options for `jupyter notebook`
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$here/bin/lib/setup.sh" "jaclab notebook"
browser=1
port=""
dir="$here/notebooks"
serve=1
install_args=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-browser) browser=0; shift ;;
    --port) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--port needs a number"; port="$2"; shift 2 ;;
    --dir) [ -d "${2:-}" ] || die "--dir needs an existing directory"; dir="$(cd "$2" && pwd)"; shift 2 ;;
    --setup-only) serve=0; shift ;;
    --rebuild|--cuda) install_args+=("$1"); shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "jaclab notebook: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

"$here/install.sh" "${install_args[@]}"
[ "$serve" = 1 ] || exit 0

# The first free port from 8888 (or the one asked for, which must be free): Jupyter then binds exactly that port,
# so the URL printed below is the one it serves.
asked="$port"
port="$("$py" - "$asked" <<'EOF'
import socket, sys
asked = sys.argv[1]
for p in ([int(asked)] if asked else range(8888, 8988)):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
        print(p)
        break
EOF
)"
[ -n "$port" ] || die "port ${asked:-8888 to 8987} is in use on 127.0.0.1; choose another with --port"
token="$("$py" -c 'import secrets; print(secrets.token_hex(24))')"
url="http://127.0.0.1:$port/tree?token=$token"
root=()
[ "$(id -u)" = 0 ] && root=(--allow-root)
say "JacLab notebook server on $dir"
say "open: $url"
say "stop it with Ctrl-C"
export PYDEVD_DISABLE_FILE_VALIDATION=1 JUPYTER_TOKEN="$token"   # not on the command line, where ps shows it
exec "$py" -Xfrozen_modules=off -m notebook --ip=127.0.0.1 --port="$port" --NotebookApp.port_retries=0 \
  --NotebookApp.open_browser="$([ "$browser" = 1 ] && echo True || echo False)" \
  --notebook-dir="$dir" --MappingKernelManager.default_kernel_name=jaclab "${root[@]}" "${extra[@]}"
