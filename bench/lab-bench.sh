# The measurements of `npm run bench`, sourced by bench/run.mjs inside a
# fresh lab (src/lab/lab.sh, after lab_up). Every figure is taken for native
# and for bia in the same run, interleaved (the order alternates per round),
# BENCH_RUNS rounds. Each sample is appended to $BENCH_OUT as one line:
#   METRIC MODE ROUND JSON
# bench/run.mjs turns them into medians, spreads and ratios.
#
# Inputs (environment): BIA_ROOT, LAB_BIA (the native launcher), BENCH_BIN (compiled C programs), BENCH_OUT,
# BENCH_ONLY (sections to run, comma-separated; empty: all), BENCH_RUNS,
# BENCH_IPERF_RUNS, BENCH_IPERF_SECS, BENCH_IPERF_OMIT, BENCH_CONNECT_N, BENCH_COLD_K,
# BENCH_RESOLVE_N, BENCH_RW_N, BENCH_RTT_N, BENCH_HF_RUNS, BENCH_CAP_SECS, BENCH_MEM_COUNTS,
# BENCH_MEM_DEADLINE.

set -uo pipefail

emit() { printf '%s %s %s %s\n' "$1" "$2" "$3" "$4" >>"$BENCH_OUT"; }
step() { printf 'bench: %s\n' "$*" >&2; }
json_bps() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.error){console.error("iperf3: "+j.error);process.exit(1)}console.log(JSON.stringify({bps:j.end.sum_received.bits_per_second}))})'; }
want() { [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",$1,"* ]]; }
order() { if [ $(($1 % 2)) -eq 1 ]; then echo "$2 $3"; else echo "$3 $2"; fi; }

BIA_MAIN="$BIA_ROOT/dist/cli/main.js"
LIB="$BIA_ROOT/build/Release/libbia.so"
SOCK="$XDG_RUNTIME_DIR/bia/helper.sock"
POOL=198.18.0.0/15
PORT_SINK=9000
# What `bia run` puts in the environment, for runs that skip the launcher.
preload() { env LD_PRELOAD="$LIB" BIA_SOCKET="${BENCH_SOCK:-$SOCK}" BIA_POOL="$POOL" "$@"; }
pchains() { proxychains4 -q -f "$LAB_DIR/proxychains.conf" "$@"; }
# A program behind the CLAT asks the name server through it, as the IPv4
# address the CLAT shows the peer as (a mount namespace of its own).
clat_dns() { clathost unshare --mount sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$LAB_DIR/clat-resolv.conf" "$@"; }

# Thousands of connects in a few seconds: allow enough ports and reuse of
# TIME_WAIT ones (this namespace's own settings).
sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1 2>/dev/null || true
peer sysctl -qw net.ipv4.tcp_tw_reuse=1 2>/dev/null || true

# --- services ---------------------------------------------------------------

peer iperf3 -s -D
peer "$BENCH_BIN/sink_server" $PORT_SINK &
lab_wait "iperf3 on the peer" peer_listening 5201
lab_wait "the connect sink on the peer" peer_listening $PORT_SINK

# The user's helper, as `bia run` would find it (default log level).
# Every helper here runs as bia runs its own (src/helper/node-flags.ts).
HELPER_NODE_FLAGS=$(node --input-type=module -e "import { HELPER_NODE_FLAGS } from '$BIA_ROOT/dist/helper/node-flags.js'; console.log(HELPER_NODE_FLAGS.join(' '))")
mkdir -p "$XDG_STATE_HOME/bia"
# shellcheck disable=SC2086
node $HELPER_NODE_FLAGS "$BIA_MAIN" helper 2>"$XDG_STATE_HOME/bia/helper.log" &
lab_wait "the bia helper" test -S "$SOCK"

# The alternative: proxychains4 through a local SOCKS5 proxy doing the DNS.
microsocks -i 127.0.0.1 -p 1080 >/dev/null 2>&1 &
printf 'strict_chain\nproxy_dns\nremote_dns_subnet 224\ntcp_read_time_out 15000\ntcp_connect_time_out 8000\n[ProxyList]\nsocks5 127.0.0.1 1080\n' >"$LAB_DIR/proxychains.conf"
lab_wait "microsocks" sh -c 'ss -Htln "sport = :1080" | grep -q .'

# And a userspace CLAT (tayga), where tayga is installed and may open a TUN
# device (some containers leave /dev/net/tun to the real root).
ALTS=proxychains
if command -v tayga >/dev/null && [ -r /dev/net/tun ] && [ -w /dev/net/tun ]; then
  lab_clat && ALTS="proxychains clat"
  printf 'nameserver %s\nsearch test\noptions timeout:2 attempts:2\n' "$LAB_CLAT_PEER4" >"$LAB_DIR/clat-resolv.conf"
fi

# --- 1. bulk throughput -------------------------------------------------------
# The first BENCH_IPERF_OMIT seconds (slow start) are left out of each figure.
iperf() { iperf3 "$@" -t "$BENCH_IPERF_SECS" -O "$BENCH_IPERF_OMIT" -J; }
for r in $(seq 1 "$BENCH_IPERF_RUNS"); do
  want throughput || break
  for m in $(order "$r" native bia) $ALTS; do
    step "throughput round $r $m"
    case $m in
      native) out=$(iperf -6 -c v6only.test | json_bps) ;;
      bia) out=$(bia run -- iperf3 -4 -c v6only.test -t "$BENCH_IPERF_SECS" -O "$BENCH_IPERF_OMIT" -J | json_bps) ;;
      proxychains) out=$(pchains iperf3 -4 -c v6only.test -t "$BENCH_IPERF_SECS" -O "$BENCH_IPERF_OMIT" -J | json_bps) ;;
      clat) out=$(clathost iperf3 -4 -c "$LAB_CLAT_PEER4" -t "$BENCH_IPERF_SECS" -O "$BENCH_IPERF_OMIT" -J | json_bps) ;;
    esac
    [ -n "$out" ] && emit throughput "$m" "$r" "$out"
  done
done

# --- 2. connect latency -------------------------------------------------------
for r in $(seq 1 "$BENCH_RUNS"); do
  want connect || break
  for m in $(order "$r" native bia) $ALTS; do
    step "connect round $r $m"
    case $m in
      native) out=$("$BENCH_BIN/connect_bench" -6 2001:db8:1::2 $PORT_SINK "$BENCH_CONNECT_N") ;;
      bia) out=$(bia run -- "$BENCH_BIN/connect_bench" -4 v6only.test $PORT_SINK "$BENCH_CONNECT_N") ;;
      proxychains) out=$(pchains "$BENCH_BIN/connect_bench" -4 v6only.test $PORT_SINK $(( (BENCH_CONNECT_N + 4) / 5 ))) ;;
      clat) out=$(clathost "$BENCH_BIN/connect_bench" -4 "$LAB_CLAT_PEER4" $PORT_SINK "$BENCH_CONNECT_N") ;;
    esac
    [ -n "$out" ] && emit connect_warm "$m" "$r" "$out"
    [ "$m" = bia ] && POOL_ADDR=$(sed -n 's/.*"peer":"\([0-9.]*\)".*/\1/p' <<<"$out")
  done
done

# The same question at a finer grain: translated and passed-through connects
# interleaved in one process under bia (and the same pairs natively, where
# both are AF_INET6 to the peer, as the floor of the pairing).
for r in $(seq 1 "$BENCH_RUNS"); do
  want connect || break
  step "connect pairs round $r"
  out=$(bia run -- "$BENCH_BIN/connect_bench" -p v6only.test 2001:db8:1::2 $PORT_SINK "$BENCH_CONNECT_N")
  [ -n "$out" ] && emit connect_pairs bia "$r" "$out"
done

# What the connect figures are made of: system calls per socket()+connect()+
# close() cycle, counted by strace -c as the difference between two loop
# lengths, so that process start-up drops out.
syscalls_per_cycle() {
  local short long
  short=$("$@" 200 2>&1 >/dev/null | awk '$NF == "total" {print $(NF-2)}')
  long=$("$@" 1200 2>&1 >/dev/null | awk '$NF == "total" {print $(NF-2)}')
  [ -n "$short" ] && [ -n "$long" ] && echo "{\"per_cycle\":$(( (long - short) / 1000 ))}"
}
if want connect && command -v strace >/dev/null; then
  step "system calls per connect cycle"
  out=$(syscalls_per_cycle strace -f -c -o /dev/stderr "$BENCH_BIN/connect_bench" -6 2001:db8:1::2 $PORT_SINK)
  [ -n "$out" ] && emit syscalls native 1 "$out"
  out=$(syscalls_per_cycle preload strace -f -c -o /dev/stderr "$BENCH_BIN/connect_bench" -4 "$POOL_ADDR" $PORT_SINK)
  [ -n "$out" ] && emit syscalls bia 1 "$out"
fi

# Cold: the first connect of a fresh process. Under bia the program is given
# the pool address as a literal, which its preload looks up in the helper's
# published table (no MAP4), and reports the use (a USE datagram).
# The alternatives connect as in section 2, from a fresh process each.
want cold && [ -z "${POOL_ADDR:-}" ] &&
  POOL_ADDR=$(bia run -- "$BENCH_BIN/connect_bench" -4 v6only.test $PORT_SINK 1 | sed -n 's/.*"peer":"\([0-9.]*\)".*/\1/p')
for r in $(seq 1 "$BENCH_RUNS"); do
  want cold || break
  step "cold connect round $r"
  for _ in $(seq 1 "$BENCH_COLD_K"); do
    for m in $(order "$r" native bia) $ALTS; do
      case $m in
        native) out=$("$BENCH_BIN/connect_bench" -6 2001:db8:1::2 $PORT_SINK 1) ;;
        bia) out=$(preload "$BENCH_BIN/connect_bench" -4 "$POOL_ADDR" $PORT_SINK 1) ;;
        proxychains) out=$(pchains "$BENCH_BIN/connect_bench" -4 v6only.test $PORT_SINK 1) ;;
        clat) out=$(clathost "$BENCH_BIN/connect_bench" -4 "$LAB_CLAT_PEER4" $PORT_SINK 1) ;;
      esac
      [ -n "$out" ] && emit connect_cold "$m" "$r" "$out"
    done
  done
done

# --- 3. name resolution -------------------------------------------------------
# Names n<i>.<round><mode>.bench.test are AAAA-only, from the generated hosts
# file dnsmasq serves: each one is new to the helper (cold).
for r in $(seq 1 "$BENCH_RUNS"); do
  want resolve || break
  for m in $(order "$r" native bia) plan $ALTS; do
    step "resolve round $r $m"
    warm=
    case $m in
      native)
        # AF_UNSPEC: the A and AAAA queries bia's helper sends for a cold name.
        cold=$("$BENCH_BIN/resolve_bench" 0 "$BENCH_RESOLVE_N" "n%d.r${r}native.bench.test" warm.bench.test)
        warm=$("$BENCH_BIN/resolve_bench" 6 "$BENCH_RESOLVE_N" warm.bench.test warm.bench.test) ;;
      bia)
        cold=$(preload "$BENCH_BIN/resolve_bench" 4 "$BENCH_RESOLVE_N" "n%d.r${r}bia.bench.test" warm.bench.test)
        warm=$(preload "$BENCH_BIN/resolve_bench" 4 "$BENCH_RESOLVE_N" warm.bench.test warm.bench.test) ;;
      # The plan of bench/shortfalls.md ("Cold name resolution"), measured.
      plan) cold=$(env BIA_SOCKET="$SOCK" "$BENCH_BIN/resolve_bench" p "$BENCH_RESOLVE_N" "n%d.r${r}plan.bench.test" warm.bench.test) ;;
      proxychains) cold=$(pchains "$BENCH_BIN/resolve_bench" 4 "$BENCH_RESOLVE_N" "n%d.r${r}proxychains.bench.test" warm.bench.test) ;;
      clat) cold=$(clat_dns "$BENCH_BIN/resolve_bench" 4 "$BENCH_RESOLVE_N" "n%d.r${r}clat.bench.test" warm4.bench.test) ;;
    esac
    [ -n "$cold" ] && emit resolve_cold "$m" "$r" "$cold"
    [ -n "$warm" ] && emit resolve_warm "$m" "$r" "$warm"
  done
done

# One helper round trip as the preload makes it (new connection, HELLO),
# against a trivial C server on the same kind of socket: the floor.
"$BENCH_BIN/uds_rtt" --serve "$LAB_DIR/echo.sock" &
lab_wait "the echo server" test -S "$LAB_DIR/echo.sock"
for r in $(seq 1 "$BENCH_RUNS"); do
  want roundtrip || break
  step "helper round trip round $r"
  for m in $(order "$r" native bia); do
    case $m in
      native) out=$("$BENCH_BIN/uds_rtt" "$LAB_DIR/echo.sock" "$BENCH_RTT_N") ;;
      bia) out=$("$BENCH_BIN/uds_rtt" "$SOCK" "$BENCH_RTT_N") ;;
    esac
    [ -n "$out" ] && emit roundtrip "$m" "$r" "$out"
  done
done

# --- 5. process start ---------------------------------------------------------
for r in $(seq 1 "$BENCH_RUNS"); do
  want start || break
  step "process start round $r"
  hf="$LAB_DIR/hyperfine.json"
  if hyperfine -N --style none --warmup 3 --runs "$BENCH_HF_RUNS" --export-json "$hf" \
      "env /bin/true" "env LD_PRELOAD=$LIB BIA_SOCKET=$SOCK BIA_POOL=$POOL /bin/true" >/dev/null 2>&1; then
    emit start_preload all "$r" "$(node -e 'const j=require(process.argv[1]);console.log(JSON.stringify(j.results.map(x=>x.times)))' "$hf")"
  fi
  # bia run as users run it: the native launcher's fast path (the helper answers).
  if hyperfine -N --style none --warmup 3 --runs "$BENCH_HF_RUNS" --export-json "$hf" \
      "/bin/true" "$LAB_BIA run -- /bin/true" >/dev/null 2>&1; then
    emit start_fast all "$r" "$(node -e 'const j=require(process.argv[1]);console.log(JSON.stringify(j.results.map(x=>x.times)))' "$hf")"
  fi
  # The Node launcher, which the native one hands anything else to.
  if hyperfine -N --style none --warmup 1 --runs $(( (BENCH_HF_RUNS + 9) / 10 )) --export-json "$hf" \
      "/bin/true" "node $BIA_MAIN run -- /bin/true" "node -e 0" >/dev/null 2>&1; then
    emit start_run all "$r" "$(node -e 'const j=require(process.argv[1]);console.log(JSON.stringify(j.results.map(x=>x.times)))' "$hf")"
  fi
done

# The same in CPU time (perf stat task-clock), which the machine's load
# disturbs far less than wall-clock time; skipped where perf cannot count.
for r in $(seq 1 "$BENCH_RUNS"); do
  want start && command -v perf >/dev/null || break
  step "process start CPU time round $r"
  for m in $(order "$r" native bia) true run; do
    case $m in
      native) out=$(perf stat -r "$BENCH_HF_RUNS" -x, -e task-clock env /bin/true 2>&1 >/dev/null | grep task-clock) ;;
      bia) out=$(perf stat -r "$BENCH_HF_RUNS" -x, -e task-clock env LD_PRELOAD="$LIB" BIA_SOCKET="$SOCK" BIA_POOL="$POOL" /bin/true 2>&1 >/dev/null | grep task-clock) ;;
      # The launcher's fast path against the program alone (it reads the
      # helper's published table and connects once; what that costs the
      # helper is in another process, not counted here).
      true) out=$(perf stat -r "$BENCH_HF_RUNS" -x, -e task-clock /bin/true 2>&1 >/dev/null | grep task-clock) ;;
      run) out=$(perf stat -r "$BENCH_HF_RUNS" -x, -e task-clock "$LAB_BIA" run -- /bin/true 2>&1 >/dev/null | grep task-clock) ;;
    esac
    ms=${out%%,*}
    [[ $ms =~ ^[0-9.]+$ ]] && emit start_cpu "$m" "$r" "{\"ms\":$ms}"
  done
done

if want start; then
  # Helper round trips of programs that do no networking: a helper at debug
  # level logs every request; count them.
  step "round trips of programs without networking"
  DBG="$LAB_DIR/debug.sock"
  # Its own state directory: one helper per state directory.
  XDG_STATE_HOME="$LAB_DIR/debug-state" node "$BIA_MAIN" helper --socket "$DBG" --log-level debug 2>"$LAB_DIR/debug.log" &
  lab_wait "the debug helper" test -S "$DBG"
  requests() { grep -cE '(HELLO|RESOLVE[46]|MAP[46]) .*->' "$LAB_DIR/debug.log"; }
  before=$(requests)
  for _ in $(seq 1 10); do
    BENCH_SOCK=$DBG preload /bin/true
    BENCH_SOCK=$DBG preload sh -c 'ls / >/dev/null; cat /etc/hostname >/dev/null 2>&1; date >/dev/null'
  done
  after=$(requests)
  emit roundtrips preload 1 "{\"processes\":20,\"requests\":$((after - before))}"
  before=$after
  for _ in $(seq 1 5); do "$LAB_BIA" run --socket "$DBG" -- /bin/true; done
  after=$(requests)
  emit roundtrips run 1 "{\"processes\":5,\"requests\":$((after - before))}"
fi

# --- 6. programs under the seccomp supervisor ----------------------------------
# Static builds of the bench's programs (BENCH_BIN/*_static): "native" is
# the static program the IPv6 way, "bia" the same program the IPv4 way under
# bia-supervise, started as bia run starts it. A dynamic musl build of
# connect_bench (when musl-gcc is there) is measured under bia's musl
# preload and under the supervisor alone: which path musl programs take.
SUPERVISOR="$BIA_ROOT/build/Release/bia-supervise"
MUSL_LIB="$BIA_ROOT/build/Release/musl/libbia.so"
supervise() { env BIA_SOCKET="${BENCH_SOCK:-$SOCK}" BIA_POOL="$POOL" "$SUPERVISOR" -- "$@"; }
musl_preload() { env LD_PRELOAD="$MUSL_LIB" BIA_SOCKET="${BENCH_SOCK:-$SOCK}" BIA_POOL="$POOL" "$@"; }
if want supervised; then
  peer "$BENCH_BIN/stream_bench_static" -s 9100 &
  lab_wait "the stream sink on the peer" peer_listening 9100
  [ -z "${POOL_ADDR:-}" ] &&
    POOL_ADDR=$(bia run -- "$BENCH_BIN/connect_bench" -4 v6only.test $PORT_SINK 1 | sed -n 's/.*"peer":"\([0-9.]*\)".*/\1/p')
fi
for r in $(seq 1 "$BENCH_IPERF_RUNS"); do
  want supervised || break
  for m in $(order "$r" native bia); do
    step "supervised throughput round $r $m"
    case $m in
      native) out=$("$BENCH_BIN/stream_bench_static" -6 2001:db8:1::2 9100 "$BENCH_IPERF_SECS") ;;
      bia) out=$(supervise "$BENCH_BIN/stream_bench_static" -4 "$POOL_ADDR" 9100 "$BENCH_IPERF_SECS") ;;
    esac
    [ -n "$out" ] && emit sup_throughput "$m" "$r" "$out"
  done
done
for r in $(seq 1 "$BENCH_RUNS"); do
  want supervised || break
  for m in $(order "$r" native bia); do
    step "supervised connect and read/write round $r $m"
    case $m in
      native) out=$("$BENCH_BIN/connect_bench_static" -6 2001:db8:1::2 $PORT_SINK "$BENCH_CONNECT_N")
              rw=$("$BENCH_BIN/rw_bench_static" "$BENCH_RW_N") ;;
      bia) out=$(supervise "$BENCH_BIN/connect_bench_static" -4 "$POOL_ADDR" $PORT_SINK "$BENCH_CONNECT_N")
           rw=$(supervise "$BENCH_BIN/rw_bench_static" "$BENCH_RW_N") ;;
    esac
    [ -n "$out" ] && emit sup_connect "$m" "$r" "$out"
    [ -n "$rw" ] && emit sup_rw "$m" "$r" "$rw"
  done
  [ -x "$BENCH_BIN/connect_bench_musl" ] && [ -r "$MUSL_LIB" ] || continue
  for m in native preload supervisor; do
    step "musl connect round $r $m"
    case $m in
      native) out=$("$BENCH_BIN/connect_bench_musl" -6 2001:db8:1::2 $PORT_SINK "$BENCH_CONNECT_N") ;;
      preload) out=$(musl_preload "$BENCH_BIN/connect_bench_musl" -4 "$POOL_ADDR" $PORT_SINK "$BENCH_CONNECT_N") ;;
      supervisor) out=$(supervise "$BENCH_BIN/connect_bench_musl" -4 "$POOL_ADDR" $PORT_SINK "$BENCH_CONNECT_N") ;;
    esac
    [ -n "$out" ] && emit musl_connect "$m" "$r" "$out"
  done
done

# --- 4. helper capacity and memory --------------------------------------------
if want capacity; then
  # These helpers measure the mapper itself: allocation quotas and rates,
  # which would stop one client allocating flat out, are lifted.
  UNLIMITED="--quota-per-process 16777216 --quota-per-user 16777216 --rate-per-process 16777216 --rate-per-user 16777216"
  step "helper capacity (8 clients)"
  CAP="$LAB_DIR/capacity.sock"
  # Each of these helpers keeps its mappings in a state directory of its own:
  # sharing the user's would make the next one start with this one's table.
  # shellcheck disable=SC2086
  XDG_STATE_HOME="$LAB_DIR/capacity-state" node $HELPER_NODE_FLAGS "$BIA_MAIN" helper --socket "$CAP" --pool 10.0.0.0/8 $UNLIMITED 2>/dev/null &
  CAP_PID=$!
  lab_wait "the capacity helper" test -S "$CAP"
  "$BENCH_BIN/capacity_client" "$CAP" "$BENCH_CAP_SECS" "$CAP_PID" | while read -r line; do emit capacity helper 1 "$line"; done
  kill "$CAP_PID"

  step "helper memory at $BENCH_MEM_COUNTS mappings (stops after ${BENCH_MEM_DEADLINE}s)"
  MEM="$LAB_DIR/memory.sock"
  # shellcheck disable=SC2086
  XDG_STATE_HOME="$LAB_DIR/memory-state" node $HELPER_NODE_FLAGS "$BIA_MAIN" helper --socket "$MEM" --pool 10.0.0.0/8 --log-level warn $UNLIMITED 2>/dev/null &
  MEM_PID=$!
  lab_wait "the memory helper" test -S "$MEM"
  # shellcheck disable=SC2086
  node "$BIA_ROOT/bench/capacity.mjs" memory "$MEM" "$MEM_PID" "$BENCH_MEM_DEADLINE" $BENCH_MEM_COUNTS | while read -r line; do emit memory helper 1 "$line"; done
  kill "$MEM_PID"
fi
step "done"
