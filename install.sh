#!/usr/bin/env bash
# Builds JacLab and registers its Jupyter kernel ("jaclab", shown as "Java (JacLab)").
#
#   ./install.sh                 # for this user (default)
#   ./install.sh --sys-prefix    # into the Python environment's prefix
#   ./install.sh --prefix DIR    # into DIR/share/jupyter/kernels
#   ./install.sh --no-build      # reuse target/jaclab-all.jar
#   ./install.sh --cuda          # build with the ND4J CUDA backend (mvn -Pcuda)
#
# Safe to run again: it rebuilds the jar and replaces the kernelspec.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scope=(--user)
build=1
profile=()
while [ $# -gt 0 ]; do
  case "$1" in
    --user) scope=(--user); shift ;;
    --sys-prefix) scope=(--sys-prefix); shift ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
              scope=(--prefix "$2"); shift 2 ;;
    --no-build) build=0; shift ;;
    --cuda) profile=(-Pcuda); shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

java_bin="$(command -v java || true)"
[ -n "$java_bin" ] || die "java (17 or newer) is not on PATH; on Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless"
java_bin="$(readlink -f "$java_bin")"
java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || die "Java 17 or newer is needed, found '$java_major' at $java_bin"

jar="$here/target/jaclab-all.jar"
if [ "$build" = 1 ]; then
  command -v mvn >/dev/null || die "Maven (mvn) is not on PATH; on Debian/Ubuntu: apt-get install -y maven"
  say "building $jar (mvn -B -q -DskipTests ${profile[*]:-} package)"
  (cd "$here" && mvn -B -q -DskipTests "${profile[@]}" package)
fi
[ -f "$jar" ] || die "$jar is missing; run without --no-build"

# Jupyter comes from the OS packages (there is no PyPI access here).
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3 || true)"
if [ -z "$py" ] || ! "$py" -c 'import jupyter_client, notebook' >/dev/null 2>&1; then
  pkgs="jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client jupyter-console python3-jupyter-kernel-test"
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Jupyter from Debian packages"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
    py=/usr/bin/python3
  else
    die "Jupyter is not installed. Install it with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends $pkgs
  (or any Jupyter with jupyter_client >= 7), then run ./install.sh again"
  fi
fi

# Class-data sharing archive: faster kernel start (about 0.4 s); skipped quietly if the JVM refuses.
# A jar rebuilt later simply runs without it (re-run install.sh to refresh it).
cds_dir="$here/target/cds"
cds=""
mkdir -p "$cds_dir"
if "$java_bin" -XX:ArchiveClassesAtExit="$cds_dir/jaclab.jsa" -Djava.awt.headless=true \
     -cp "$jar" dev.jaclab.kernel.Warmup >/dev/null 2>&1; then
  cds="-XX:SharedArchiveFile=$cds_dir/jaclab.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
  say "class-data sharing archive: $cds_dir/jaclab.jsa"
fi

spec_dir="$(mktemp -d)"
trap 'rm -rf "$spec_dir"' EXIT
mkdir -p "$spec_dir/jaclab"
sed -e "s#@JAVA@#$java_bin#" -e "s#@JAR@#$jar#" -e "s#@CDS@#$cds#" "$here/kernel/kernel.json" > "$spec_dir/jaclab/kernel.json"
cp "$here/kernel/logo-32x32.png" "$here/kernel/logo-64x64.png" "$spec_dir/jaclab/"

say "registering the kernelspec 'jaclab' (${scope[*]})"
export PYDEVD_DISABLE_FILE_VALIDATION=1
"$py" -Xfrozen_modules=off -m jupyter kernelspec install --replace --name jaclab "${scope[@]}" "$spec_dir/jaclab" 2>&1 \
  | grep -v -e 'which is not in' -e 'may not be found' || true
if [ "${scope[0]}" = --prefix ]; then
  dest="${scope[1]}/share/jupyter/kernels/jaclab/kernel.json"
  [ -f "$dest" ] || die "the kernelspec was not written to $dest"
  say "installed $dest; let Jupyter find it with: export JUPYTER_PATH=${scope[1]}/share/jupyter\${JUPYTER_PATH:+:\$JUPYTER_PATH}"
else
  "$py" -Xfrozen_modules=off -m jupyter kernelspec list 2>/dev/null | grep -E '^\s*jaclab\s' >/dev/null \
    || die "the kernelspec did not register ('$py -m jupyter kernelspec list' does not show jaclab)"
fi
say "done: start Jupyter with '$py -m jupyter notebook' and pick 'Java (JacLab)'"
