# Shared by install.sh, bin/jaclab notebook and test/all.sh (sourced, not run): messages, the Python that has
# Jupyter, and installing missing Debian packages.
#
#   . bin/lib/setup.sh NAME          # NAME prefixes error messages
#   want_package graphviz "Viz.graph needs Graphviz dot"
#   install_wanted                   # one apt-get install for everything wanted (root on Debian), or one clear error
#
# JACLAB_PYTHON: the Python with Jupyter (default /usr/bin/python3, else python3 on PATH).
# JACLAB_NO_APT=1: never run apt-get; missing packages are an error that names the install command.

_setup_name="${1:-jaclab}"
py="${JACLAB_PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py="$(command -v python3 || echo /usr/bin/python3)"; fi
fi

say() { printf '==> %s\n' "$*"; }
note() { printf '%s: note: %s\n' "$_setup_name" "$*" >&2; }
die() { printf '%s: error: %s\n' "$_setup_name" "$*" >&2; exit 1; }

# Whether the Python in $py imports every module named.
py_has() { [ -x "$py" ] && "$py" -c "import $(IFS=,; echo "$*")" >/dev/null 2>&1; }

# Whether `$py -m jupyter SUBCOMMAND` runs (the subcommand's executable comes from its own Debian package).
jupyter_has() { [ -x "$py" ] && "$py" -Xfrozen_modules=off -m jupyter "$1" --version >/dev/null 2>&1; }

# Whether this script may install Debian packages itself.
can_apt() {
  [ -z "${JACLAB_NO_APT:-}" ] && [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null
}

_wanted=()
_reasons=()

# Records a missing Debian package and why it is needed (installed later by install_wanted).
want_package() {
  local p
  for p in "${_wanted[@]:-}"; do [ "$p" = "$1" ] && return 0; done
  _wanted+=("$1")
  _reasons+=("$1: $2")
}

# Whether no package is wanted so far.
nothing_wanted() { [ ${#_wanted[@]} -eq 0 ]; }

# Installs every wanted package with one apt-get call, saying what and why; without root on Debian it stops
# with the command to run. Returns at once when nothing is wanted.
install_wanted() {
  [ ${#_wanted[@]} -gt 0 ] || return 0
  local r
  if ! can_apt; then
    {
      printf '%s: error: missing Debian packages:\n' "$_setup_name"
      for r in "${_reasons[@]}"; do printf '  %s\n' "$r"; done
      printf 'Install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' "${_wanted[*]}"
      printf 'then run this command again.\n'
    } >&2
    exit 1
  fi
  say "installing Debian packages: ${_wanted[*]}"
  for r in "${_reasons[@]}"; do printf '    %s\n' "$r"; done
  export DEBIAN_FRONTEND=noninteractive
  local log
  log="$(mktemp)"
  if ! apt-get -q -o DPkg::Lock::Timeout=600 update >"$log" 2>&1 \
     || ! apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${_wanted[@]}" >>"$log" 2>&1; then
    tail -n 25 "$log" >&2
    die "apt-get could not install ${_wanted[*]} (the lines above are the end of its output)"
  fi
  rm -f "$log"
  _wanted=()
  _reasons=()
  hash -r
  if [ -z "${JACLAB_PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; fi
}

# The Java that runs JacLab (17 or newer, a JDK: the kernel needs JShell); sets $java_bin or stops.
check_java() {
  java_bin="$(command -v java || true)"
  [ -n "$java_bin" ] || die "java (17 or newer) is not on PATH; on Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless"
  java_bin="$(readlink -f "$java_bin")"
  local major
  major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${major%%.*}" -ge 17 ] 2>/dev/null || die "Java 17 or newer is needed, found '$major' at $java_bin"
  "$java_bin" --list-modules 2>/dev/null | grep -q '^jdk\.jshell@' \
    || die "$java_bin has no jdk.jshell module (a JRE?); the kernel needs a JDK: apt-get install -y openjdk-17-jdk-headless"
}
