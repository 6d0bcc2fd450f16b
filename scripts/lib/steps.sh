# Numbered progress lines for the scripts a new user runs (setup, build, demo,
# test). Source it, then:
#   steps_begin TOTAL [NAME]   NAME prefixes every line ("setup" -> "setup [1/3] ...")
#   step "what is being done"  prints "[N/TOTAL] m:ss what is being done", m:ss being
#                              the time since steps_begin
#   steps_elapsed              prints m:ss since steps_begin
#   heartbeat_start MESSAGE_CMD [SECONDS]   runs MESSAGE_CMD every SECONDS (default 10)
#   heartbeat_stop                           in the background until heartbeat_stop; for
#                              long silent commands
# Lines go to stdout: these scripts' stdout is for people, errors go to stderr.

steps_begin() {
  _steps_total=$1
  _steps_name=${2:+$2 }
  _steps_n=0
  _steps_t0=$SECONDS
}

steps_elapsed() {
  local s=$((SECONDS - _steps_t0))
  printf '%d:%02d' $((s / 60)) $((s % 60))
}

step() {
  _steps_n=$((_steps_n + 1))
  printf '%s[%d/%d] %s %s\n' "$_steps_name" "$_steps_n" "$_steps_total" "$(steps_elapsed)" "$*"
}

_heartbeat_pid=""
heartbeat_start() {
  local cmd=$1 every=${2:-10}
  (
    trap 'kill "$s" 2>/dev/null; exit 0' TERM  # and no orphaned sleep holding stdout open
    while :; do
      sleep "$every" &
      s=$!
      wait "$s"
      "$cmd"
    done
  ) &
  _heartbeat_pid=$!
}

heartbeat_stop() {
  if [ -n "$_heartbeat_pid" ]; then
    kill "$_heartbeat_pid" 2>/dev/null || true
    wait "$_heartbeat_pid" 2>/dev/null || true
    _heartbeat_pid=""
  fi
}
