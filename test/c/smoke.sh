#!/bin/sh
# Smoke test of the preload library: builds test/c/hook_smoke.c and runs it
# under LD_PRELOAD in a fresh network namespace that has only loopback, with
# test/c/fake_helper.py as the helper and an IPv6 server on [::1]:8080.
# Nothing leaves the machine. Needs root (or unshare -r) and a built
# library: sh test/c/smoke.sh [path/to/libbia.so]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=${1:-$root/build/Release/libbia.so}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=gnu11 -Wall -Wextra -pthread "$root/test/c/hook_smoke.c" -o "$work/hook_smoke"

# Root needs only a network namespace; anyone else needs a user namespace too.
ns="unshare -n"
[ "$(id -u)" -eq 0 ] || ns="unshare -rn"
$ns sh -c '
set -eu
root=$1 lib=$2 work=$3
ip link set lo up
python3 "$root/test/c/fake_helper.py" "$work/helper.sock" --network ipv6-only \
    --name v6only.test=POOL,198.18.0.1,::1 --name v6only.test=POOL,198.18.0.2,::1 \
    --name dual.test=PAIRED,192.0.2.10,::1 --name v4only.test=NATIVE,192.0.2.20,:: \
    2>"$work/helper.log" &
helper=$!
python3 -c "
import socket, threading
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"::1\", 8080)); s.listen(64)
while True:
    c, a = s.accept(); c.sendall(b\"hello from [%s]\n\" % a[0].encode()); c.close()
" &
server=$!
# Both the helper and the [::1]:8080 server (port 1F90, state 0A: listening).
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
    [ -S "$work/helper.sock" ] && grep -q ":1F90 0\{32\}:0000 0A" /proc/net/tcp6 && break
    sleep 0.2
done
rc=0
BIA_SOCKET=$work/helper.sock LD_PRELOAD=$lib "$work/hook_smoke" || rc=$?
kill "$helper" "$server"
exit $rc
' sh "$root" "$lib" "$work"
