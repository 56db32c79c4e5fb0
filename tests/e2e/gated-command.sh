#!/usr/bin/env bash
# Runs a command only when the test lets it: the renew hook's command step for the kill -9
# scenario of tests/e2e/test_closed_loop.py.
#   gated-command.sh GATE_DIR COMMAND [ARG...]
# Writes its pid (the leader of the step's process group) to GATE_DIR/started, then blocks
# reading the fifo GATE_DIR/gate until the test writes a line to it, then runs COMMAND. So the
# test knows, without guessing with sleeps, that the hook is in the middle of the step.
set -euo pipefail
gate="$1"
shift
echo "$$" > "$gate/started.tmp"
mv -f "$gate/started.tmp" "$gate/started"
read -r _ < "$gate/gate"
exec "$@"
