# The queue peers of the SQS and STOMP transports, for scripts/test and scripts/soak (sourced):
# RabbitMQ with its STOMP plugin (installed from Debian and started on loopback when missing),
# and moto's SQS emulator plus openapi-spec-validator in a venv under .tmp (from PyPI). Each
# exports the address the tests read; `venv` is left set for the validator.

start_rabbitmq() {
  if ! port_open 61613; then
    if ! command -v rabbitmq-server >/dev/null 2>&1; then need_apt rabbitmq-server; fi
    if port_open 5672; then
      log "RabbitMQ: enabling the STOMP plugin on the running broker"
      rabbitmq-plugins enable rabbitmq_stomp >/dev/null
    else
      log "RabbitMQ: starting a broker on loopback with STOMP"
      conf=/etc/rabbitmq/rabbitmq.conf
      if ! grep -qs 'stomp.listeners.tcp.1' "$conf"; then
        mkdir -p /etc/rabbitmq
        printf '%s\n' 'listeners.tcp.default = 127.0.0.1:5672' 'stomp.listeners.tcp.1 = 127.0.0.1:61613' \
          'distribution.listener.interface = 127.0.0.1' >>"$conf"
      fi
      rabbitmq-plugins enable --offline rabbitmq_stomp >/dev/null
      ERL_EPMD_ADDRESS=127.0.0.1 rabbitmq-server -detached
    fi
    for _ in $(seq 120); do port_open 61613 && break; sleep 0.5; done
    port_open 61613 || { echo "RabbitMQ's STOMP port 61613 did not open" >&2; exit 1; }
  fi
  export CARTWIRE_TEST_STOMP=127.0.0.1:61613
}

start_moto() {
  venv="$root/.tmp/moto-venv"
  if [ ! -x "$venv/bin/moto_server" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
    log "Python tools: installing moto[server] and openapi-spec-validator into $venv"
    mkdir -p "$root/.tmp"
    command -v python3 >/dev/null 2>&1 || need_apt python3
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv" 2>/dev/null || { need_apt python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q 'moto[server]' openapi-spec-validator
  fi
  local motoport
  motoport=$(free_port)
  # moto's own server, started through a launcher with two fixes to its SQS (see
  # scripts/lib/moto_fixes.py): without them a backlog of a few thousand messages never
  # drains, and a message sent while another is deleted can be lost after moto acknowledged it.
  "$venv/bin/python" "$root/scripts/moto-server.py" -H 127.0.0.1 -p "$motoport" >"$root/.tmp/moto.log" 2>&1 &
  moto_pid=$!
  cleanup_steps+=("kill $moto_pid")
  for _ in $(seq 100); do port_open "$motoport" && break; sleep 0.1; done
  port_open "$motoport" || { echo "moto_server did not start" >&2; exit 1; }
  if grep -q "unpatched" "$root/.tmp/moto.log"; then
    echo "warning: $(grep unpatched "$root/.tmp/moto.log") — SQS tests may lose messages to moto" >&2
  fi
  log "SQS: moto on 127.0.0.1:$motoport"
  export CARTWIRE_TEST_SQS_ENDPOINT="http://127.0.0.1:$motoport"
}

# A fresh moto: it keeps every queue and every deleted message's receipt for its lifetime,
# and its cost per message grows with them, so a second long run must not inherit the first's.
restart_moto() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  start_moto
}
