# The shutdown tree: a shell that starts ten workers of each kind into directory $1 - plain
# background children, setsid'd children, double-forked orphans - and one stubborn worker if $2 is
# "stubborn". $3 is how the workers and the shell clean up on SIGTERM or SIGHUP (see worker.sh;
# builtin if not given). It writes shell.started, and once cleaned up shell.graceful. Used by the
# tests (through ShutdownApp) and by the bench (src/bench/Shutdown.java), which runs it under each PID 1.
d=$1; kind=${3:-builtin}
trap 'sh "$d/worker.sh" "$d" shell "$kind" cleanup; exit 0' TERM HUP
i=0
while [ $i -lt 10 ]; do
  sh "$d/worker.sh" "$d" plain-$i "$kind" &
  setsid sh "$d/worker.sh" "$d" setsid-$i "$kind" &
  (sh "$d/worker.sh" "$d" orphan-$i "$kind" &)
  i=$((i+1))
done
if [ "$2" = stubborn ]; then sh "$d/worker.sh" "$d" stubborn stubborn & fi
: > "$d/shell.started"
while :; do sleep 1000 & wait $!; done
