#!/bin/bash
# Counts the lines of a generated file that contain a pattern: grep.sh?pattern=42&slow=SECONDS
#
# With slow=SECONDS, grep gets its input only after that long. Past the server's timeout, the server
# kills this script's process, and only that: the pipeline it started (a subshell with sleep, then cat;
# grep) is orphaned, and the kernel hands it to PID 1 of the pid namespace (in a container, the JVM).
# Each of its processes that ends becomes a zombie of PID 1. The JVM does not wait for processes it
# did not start: without the reaper they stay zombies; with it, they are reaped at once.

. "${0%/*}/.lib/query.bash" # param NAME: a query parameter, decoded

pattern=$(param pattern)
slow=$(param slow)
[[ $slow =~ ^[0-9]{1,4}(\.[0-9]{1,3})?$ ]] || slow=0
data="${TMPDIR:-/tmp}/cgi-demo-numbers.txt"
if [ ! -s "$data" ]; then
  seq 1 100000 > "$data.$$" && mv -f "$data.$$" "$data"
fi
printf 'Content-Type: text/plain\r\n\r\n'
printf 'lines of %s containing "%s": ' "$data" "${pattern:=42}"
{ sleep "$slow"; cat "$data"; } | grep -c -F -- "$pattern"
