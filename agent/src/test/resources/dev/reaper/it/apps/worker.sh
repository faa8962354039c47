# A worker of the shutdown tree: writes its pid to $2.started, and on SIGTERM or SIGHUP cleans up, writes
# $2.graceful and exits 0. $3 says how it cleans up:
#   builtin   shell builtins only (echo >): it forks nothing;
#   fork      an external command running 0.3 s (sleep), then one more (touch): a stand-in for
#             pg_ctl stop, curl -X DELETE, mv, rsync;
#   fork2s    the same, 2 s long;
#   pipeline  a subshell pipeline of external commands, then mv;
#   stubborn  ignores SIGTERM (and so does its sleep, which inherits that).
# With "cleanup" as $4 it only cleans up, at once (the tree's shell cleans up so).
d=$1; n=$2; kind=${3:-builtin}
cleanup() {
  case $kind in
    fork) sleep 0.3 && touch "$d/$n.graceful" ;;
    fork2s) sleep 2 && touch "$d/$n.graceful" ;;
    pipeline) (sleep 0.3; echo graceful) | cat > "$d/$n.part" && mv "$d/$n.part" "$d/$n.graceful" ;;
    *) echo graceful > "$d/$n.graceful" ;;
  esac
  exit 0
}
if [ "$4" = cleanup ]; then cleanup; fi
if [ "$kind" = stubborn ]; then trap '' TERM; else trap cleanup TERM HUP; fi
echo $$ > "$d/$n.started"
while :; do sleep 1000 & wait $!; done
