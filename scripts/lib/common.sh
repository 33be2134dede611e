# Helpers shared by scripts/test and scripts/bench (sourced, not run).

log() { printf '\n== %s\n' "$*"; }

need_apt() {
  if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install $*" >&2; exit 1; fi
    log "installing $* (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing $* and no apt-get to install it" >&2; exit 1
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nothing listens on (plain bash + coreutils, so a minimal Debian needs nothing more),
# below the kernel's ephemeral range (32768+ by default): a port in
# that range can be held by an outgoing connection, which port_open cannot see, and a bind to
# it then fails with "Address already in use".
free_port() {
  local p
  while :; do
    p=$(shuf -i 20000-32767 -n 1)
    port_open "$p" || { echo "$p"; return; }
  done
}

cleanup_steps=()
# Last registered, first undone: a database goes before the cluster that holds it.
cleanup() { local i; for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do eval "${cleanup_steps[i]}" || true; done; }
trap cleanup EXIT
