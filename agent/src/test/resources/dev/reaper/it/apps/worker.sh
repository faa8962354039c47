# A worker of the shutdown tree: writes $2.started, and on SIGTERM or SIGHUP writes $2.graceful and
# exits 0. With "stubborn" as $3 it ignores SIGTERM (and so does its sleep, which inherits that).
d=$1; n=$2
if [ "$3" = stubborn ]; then trap '' TERM; else trap 'echo graceful > "$d/$n.graceful"; exit 0' TERM HUP; fi
: > "$d/$n.started"
while :; do sleep 1000 & wait $!; done
