#!/bin/bash
# A long job: job.sh?seconds=60&id=NAME. It marks that it started (MARKER_DIR/NAME.started) and,
# should it get SIGTERM, that it stopped gracefully (MARKER_DIR/NAME.graceful), answers 503 and exits 0:
# what a well-behaved program does when its container is stopped. But someone has to send it that
# SIGTERM: the reaper relays the JVM's to all its descendants; without it, the kernel SIGKILLs them
# when PID 1 exits, and nothing is recorded. MARKER_DIR is the server's --marker-dir.

. "${0%/*}/.lib/query.bash" # param NAME: a query parameter, decoded

id=$(param id)
[[ $id =~ ^[A-Za-z0-9_-]{1,64}$ ]] || id=job-$$
seconds=$(param seconds)
[[ $seconds =~ ^[0-9]{1,5}$ ]] || seconds=60
dir=${MARKER_DIR:-/tmp}

stopped() {
  kill "$worker" 2>/dev/null
  echo "SIGTERM after ${SECONDS}s: cleaned up, exiting 0" > "$dir/$id.graceful"
  printf 'Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\njob %s stopped: the server is shutting down\n' "$id"
  exit 0
}
trap stopped TERM
sleep "$seconds" &
worker=$!
touch "$dir/$id.started" # only now: from here on, SIGTERM is handled
wait "$worker"
printf 'Content-Type: text/plain\r\n\r\njob %s done after %s s\n' "$id" "$seconds"
