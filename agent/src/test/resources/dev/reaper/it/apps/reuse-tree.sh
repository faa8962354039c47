# The tree PidReuseApp leaves running for the stop, in a pid namespace whose pids wrap every hundred
# forks: $2 workers into directory $1, every third a double-forked orphan. A worker runs short sleeps
# one after another, which the relay finds and signals, and which also end by themselves: their pids
# are freed while the relay works. A sleep that starts once $1/stopped exists (the test creates it
# once it has sent the stop's signal) must get no signal: if it does, the worker writes NAME.wrong.
# On SIGTERM a worker runs a bystander in the foreground, then waits until the first $3 bystanders
# of PidReuseApp's shutdown hook (h0, h1, ...) have written theirs (with stop-order=hooks-first, so
# that those run while the relay, which waits for the workers, works), then writes NAME.graceful
# and exits 0. A bystander starts after the stop began and is no orphan (its worker or the hook's
# JVM waits for it): the relay must leave it alone, and the sleeps it runs one after another, most
# of them on a pid just freed. Any signal the bystander or one of its sleeps gets is written to
# NAME.wrong; it writes NAME.bystander when done. With "bystander NAME" as $2 and $3, it runs one
# bystander only, of forty sleeps (PidReuseApp's shutdown hook starts some so).
d=$1; n=$2; hooks=${3:-0}
bystander() {
  sh -c '
    d=$1; name=$2; sleeps=$3
    trap "echo \"bystander \$\$ got a signal\" >> \"\$d/\$name.wrong\"" TERM INT HUP
    i=0
    while [ $i -lt $sleeps ]; do
      sleep 0.01 || echo "a sleep of bystander $$ ended with status $?" >> "$d/$name.wrong"
      i=$((i+1))
    done
    : > "$d/$name.bystander"' sh "$d" "$1" "${2:-20}"
}
if [ "$n" = bystander ]; then bystander "$3" 40; exit 0; fi
hook_bystanders_done() {
  k=0
  while [ $k -lt "$hooks" ]; do
    [ -e "$d/h$k.bystander" ] || return 1
    k=$((k+1))
  done
}
worker() {
  trap 'bystander $1; until hook_bystanders_done; do sleep 0.05; done; : > "$d/$1.graceful"; exit 0' TERM
  : > "$d/$1.started"
  while :; do
    if [ -e "$d/stopped" ]; then
      sleep 0.05 || echo "a sleep of worker $$ that started after the stop ended with status $?" >> "$d/$1.wrong"
    else
      sleep 0.05
    fi
  done
}
i=0
while [ $i -lt "$n" ]; do
  if [ $((i % 3)) = 2 ]; then (worker w$i &); else worker w$i & fi
  i=$((i+1))
done
trap 'exit 0' TERM
while :; do sleep 1000 & wait $!; done
