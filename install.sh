#!/usr/bin/env bash
# Sets JacLab up: checks Java and Maven, builds target/jaclab-all.jar when it is missing or older than the sources,
# installs Jupyter, its widget front end and Graphviz from the Debian packages when they are missing (as root on Debian; otherwise it
# prints the command), and registers the Jupyter kernel "jaclab" (shown as "Java (JacLab)").
# `bin/jaclab notebook` runs this, then starts Jupyter.
#
#   ./install.sh                 # for this user (default)
#   ./install.sh --sys-prefix    # into the Python environment's prefix
#   ./install.sh --prefix DIR    # into DIR/share/jupyter/kernels
#   ./install.sh --rebuild       # build the jar even when it is up to date
#   ./install.sh --no-build      # reuse target/jaclab-all.jar as it is
#   ./install.sh --cuda          # build with the ND4J CUDA backend (mvn -Pcuda)
#
# Safe to run again: it rebuilds only what changed and replaces the kernelspec.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/bin/lib/setup.sh" install.sh
scope=(--user)
build=auto
profile=()
while [ $# -gt 0 ]; do
  case "$1" in
    --user) scope=(--user); shift ;;
    --sys-prefix) scope=(--sys-prefix); shift ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
              scope=(--prefix "$2"); shift 2 ;;
    --no-build) build=no; shift ;;
    --rebuild) build=yes; shift ;;
    --cuda) profile=(-Pcuda); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

jar="$here/target/jaclab-all.jar"
stamp="$here/target/jaclab-all.profile"    # the Maven profile install.sh built the jar with (none: the CPU default)

# Why the jar must be (re)built, or nothing when it is up to date.
stale_reason() {
  [ -f "$jar" ] || { echo "missing"; return; }
  [ "$(cat "$stamp" 2>/dev/null || true)" = "${profile[*]:-}" ] || { echo "built with another backend"; return; }
  local newer
  newer="$(find "$here/pom.xml" "$here/src/main" -newer "$jar" -type f -print -quit 2>/dev/null)"
  [ -z "$newer" ] || echo "older than ${newer#"$here"/}"
}
reason=""
case "$build" in
  yes) reason="--rebuild" ;;
  auto) reason="$(stale_reason)" ;;
esac

# What is missing, installed in one go.
command -v java >/dev/null || want_package openjdk-17-jdk-headless "Java 17 runs JacLab"
if [ -n "$reason" ] && ! command -v mvn >/dev/null; then want_package maven "Maven builds target/jaclab-all.jar"; fi
py_has jupyter_client notebook || want_package jupyter-notebook "Jupyter Notebook runs the notebooks"
jupyter_has kernelspec || want_package jupyter-client "'jupyter kernelspec' registers the kernel"
if ! command -v dot >/dev/null; then
  if can_apt; then want_package graphviz "Viz.graph (notebook 03) lays out the tape with Graphviz dot"
  else note "Graphviz 'dot' is missing: Viz.graph (notebook 03) needs it (apt-get install -y graphviz)"; fi
fi
# The widget front end for the classic notebook: Debian's package installs the JavaScript into
# /usr/share/jupyter/nbextensions and enables it system-wide (/etc/jupyter/nbconfig/notebook.d). Elsewhere:
# `jupyter nbextension install --py widgetsnbextension --sys-prefix && jupyter nbextension enable --py widgetsnbextension`
# with a widgetsnbextension whose JavaScript satisfies ~2.1.4 (ipywidgets 6).
if [ ! -f /usr/share/jupyter/nbextensions/jupyter-js-widgets/extension.js ]; then
  if can_apt; then want_package jupyter-nbextension-jupyter-js-widgets "widgets (sliders, menus) in the notebook"
  else note "the widget front end is missing: widgets will not show (apt-get install -y jupyter-nbextension-jupyter-js-widgets)"; fi
fi
if ! py_has numpy; then
  if can_apt; then want_package python3-numpy "NumPy: the tests check .npz files against numpy.savez and numpy.load"
  else note "NumPy is missing: the .npz interchange tests skip (apt-get install -y python3-numpy)"; fi
fi
install_wanted

check_java
if [ -n "$reason" ]; then
  command -v mvn >/dev/null || die "Maven (mvn) is not on PATH; on Debian/Ubuntu: apt-get install -y maven"
  say "building $jar ($reason): mvn -B -q -DskipTests ${profile[*]:+${profile[*]} }package"
  (cd "$here" && mvn -B -q -DskipTests "${profile[@]}" package)
  printf '%s\n' "${profile[*]:-}" > "$stamp"
fi
[ -f "$jar" ] || die "$jar is missing; run without --no-build"
py_has jupyter_client notebook \
  || die "$py cannot import jupyter_client and notebook; set JACLAB_PYTHON to a Python that has Jupyter"

# Class-data sharing archive: faster kernel start (about 0.4 s); remade when the jar changes, skipped quietly if the
# JVM refuses.
cds_dir="$here/target/cds"
cds_file="$cds_dir/jaclab.jsa"
cds=""
mkdir -p "$cds_dir"
if [ -f "$cds_file" ] && [ "$cds_file" -nt "$jar" ]; then
  cds="-XX:SharedArchiveFile=$cds_file -Xlog:cds=off -Xlog:cds+dynamic=off"
elif "$java_bin" -XX:ArchiveClassesAtExit="$cds_file" -Djava.awt.headless=true \
     -cp "$jar" dev.jaclab.kernel.Warmup >/dev/null 2>&1; then
  cds="-XX:SharedArchiveFile=$cds_file -Xlog:cds=off -Xlog:cds+dynamic=off"
  say "class-data sharing archive: $cds_file"
fi

spec_dir="$(mktemp -d)"
trap 'rm -rf "$spec_dir"' EXIT
mkdir -p "$spec_dir/jaclab"
# the --add-opens flags Apache Spark needs on Java 17 (spark/java17-opens.txt), for SparkJacobian in a notebook
opens="$(cat "$here/spark/java17-opens.txt")"
# the launchers' JVM settings (bin/lib/jvm.sh), read without inheriting this shell's MALLOC_* values
jvm_settings="$(env -u MALLOC_MMAP_THRESHOLD_ -u MALLOC_TRIM_THRESHOLD_ bash -c '. "$1"; echo "$JACLAB_GC|$JACLAB_HEAP|$JACLAB_MALLOC_MMAP|$JACLAB_MALLOC_TRIM"' _ "$here/bin/lib/jvm.sh")"
IFS='|' read -r jvm_gc jvm_heap jvm_mmap jvm_trim <<< "$jvm_settings"
sed -e "s#@JAVA@#$java_bin#" -e "s#@JAR@#$jar#" -e "s#@CDS@#$cds#" -e "s#@OPENS@#$opens#" -e "s#@GC@#$jvm_gc#" -e "s#@HEAP@#$jvm_heap#" \
    -e "s#@MMAP@#$jvm_mmap#" -e "s#@TRIM@#$jvm_trim#" "$here/kernel/kernel.json" > "$spec_dir/jaclab/kernel.json"
cp "$here/kernel/logo-32x32.png" "$here/kernel/logo-64x64.png" "$here/kernel/kernel.js" "$spec_dir/jaclab/"

say "registering the kernelspec 'jaclab' (${scope[*]})"
export PYDEVD_DISABLE_FILE_VALIDATION=1
"$py" -Xfrozen_modules=off -m jupyter kernelspec install --replace --name jaclab "${scope[@]}" "$spec_dir/jaclab" 2>&1 \
  | grep -v -e 'which is not in' -e 'may not be found' -e '^\[InstallKernelSpec\]' || true
if [ "${scope[0]}" = --prefix ]; then
  dest="${scope[1]}/share/jupyter/kernels/jaclab/kernel.json"
  [ -f "$dest" ] || die "the kernelspec was not written to $dest"
  say "installed $dest; let Jupyter find it with: export JUPYTER_PATH=${scope[1]}/share/jupyter\${JUPYTER_PATH:+:\$JUPYTER_PATH}"
else
  "$py" -Xfrozen_modules=off -m jupyter kernelspec list 2>/dev/null | grep -E '^\s*jaclab\s' >/dev/null \
    || die "the kernelspec did not register ('$py -m jupyter kernelspec list' does not show jaclab)"
fi
say "set up; start Jupyter with: bin/jaclab notebook"
