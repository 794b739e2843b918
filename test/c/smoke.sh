#!/bin/sh
# Smoke test of the preload library: builds test/c/PROGRAM.c (default
# hook_smoke) and runs it
# under LD_PRELOAD in a fresh network namespace that has only loopback, with
# test/c/fake_helper.py as the helper and an IPv6 server on [::1]:8080.
# Nothing leaves the machine. Needs root (or unshare -r) and a built
# library: sh test/c/smoke.sh [path/to/libbia.so] [TEST]
# TEST is another program in test/c (default hook_smoke); SMOKE_CFLAGS adds
# compiler flags, e.g. -fsanitize=address,undefined (the ASan runtime is
# then preloaded first, as ASan requires).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=${1:-$root/build/Release/libbia.so}
prog=${2:-hook_smoke}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086
cc -std=gnu11 -Wall -Wextra -pthread -I"$root/preload/include" -I"$root/preload/core" ${SMOKE_CFLAGS:-} "$root/test/c/$prog.c" -o "$work/test" -ldl -lresolv
case ${SMOKE_CFLAGS:-} in
*-fsanitize=address*) lib="$(cc -print-file-name=libasan.so) $lib" ;;
esac

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
open(\"$work/server.ready\", \"w\").close()
while True:
    c, a = s.accept(); c.sendall(b\"hello from [%s]\n\" % a[0].encode()); c.close()
" &
server=$!
# The tests need both the helper and the server from their first line.
for _ in $(seq 1 50); do [ -S "$work/helper.sock" ] && [ -e "$work/server.ready" ] && break; sleep 0.1; done
rc=0
BIA_SOCKET=$work/helper.sock LD_PRELOAD=$lib "$work/test" || rc=$?
kill "$helper" "$server"
exit $rc
' sh "$root" "$lib" "$work"
