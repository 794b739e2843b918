# bia lab: a throwaway IPv6-only network, built from namespaces.
#
# Sourced by a bash that runs inside fresh network, mount and pid namespaces
# (and a user namespace when not root); see src/lab/lab.ts. Everything here
# disappears when that bash exits: the pid namespace takes every process
# with it, and the namespaces go with their last process.
#
#   "host"  this namespace. IPv6 only: 2001:db8:1::1/64 on bia0, and
#           127.0.0.1/::1 on lo. No IPv4 route leaves the host.
#   "peer"  a second network namespace behind a veth pair: 2001:db8:1::2 and
#           ::3, a DNS server (dnsmasq) and whatever services a test starts.
#
# Names served by the peer's DNS (search domain "test"):
#   v6only.test   AAAA 2001:db8:1::2                 (IPv6-only peer)
#   multi.test    AAAA 2001:db8:1::2, 2001:db8:1::3  (two IPv6 addresses)
#   dual.test     A 192.0.2.10, AAAA 2001:db8:1::2   (A unreachable from here)
#   v4only.test   A 192.0.2.20                       (no IPv6 at all)
#   mail.test     MX 10 v6only.test                  (a mail domain served by it)
#   ipv4only.arpa nothing (NXDOMAIN): no NAT64, until lab_nat64 adds one
#
# lab_nat64 fakes a NAT64 on that network, lab_tayga runs a real one, and
# lab_clat a userspace CLAT on the host (what users could run instead of bia);
# lab_dns_cache puts a caching resolver with an authoritative zone in front;
# lab_add_ipv4 / lab_del_ipv4 make it dual-stack and back (roaming).
#
# lab_up4 builds the mirror image instead, for IPv6 programs: an IPv4-only
# host (198.51.100.1/24 on bia0, IPv6 disabled there; lo keeps ::1) and an
# IPv4-only peer 198.51.100.2 (TEST-NET-2) whose DNS serves:
#   v4only.test   A 198.51.100.2                     (the peer)
#   dual4.test    A 198.51.100.2, AAAA 2001:db8:9::2 (AAAA unreachable from here)
#
# lab_up_dual builds a dual-stack network: the host has 2001:db8:1::1/64 and
# 198.51.100.1/24 on bia0, the peer 2001:db8:1::2 and 198.51.100.2; which
# family a service answers is up to the test (peer_serve_tcp: IPv6 only,
# peer_serve_tcp4: IPv4 only). Its DNS serves:
#   v6only.test   AAAA 2001:db8:1::2                 (an IPv6-only service)
#   v4only.test   A 198.51.100.2                     (an IPv4-only service)
#   dual.test     A 198.51.100.2, AAAA 2001:db8:1::2 (both, native for everyone)

set -euo pipefail

# dnsmasq, tayga and setcap live in sbin directories, which an ordinary
# user's PATH leaves out (src/sbin.ts does the same for the Node side).
for _d in /usr/local/sbin /usr/sbin /sbin; do
  case ":$PATH:" in *":$_d:"*) ;; *) PATH="$PATH:$_d" ;; esac
done
unset _d

LAB_HOST6=2001:db8:1::1
LAB_PEER6=2001:db8:1::2
LAB_PEER6_B=2001:db8:1::3
LAB_HOST4=198.51.100.1
LAB_PEER4=198.51.100.2

lab_log() { [ -n "${LAB_QUIET:-}" ] || printf 'lab: %s\n' "$*" >&2; }

# Run a command on the peer host.
peer() { nsenter --net="/proc/$LAB_PEER_PID/ns/net" -- "$@"; }

lab_start_peer() {
  unshare --net -- sleep infinity &
  LAB_PEER_PID=$!
  local own; own=$(readlink /proc/self/ns/net)
  for _ in $(seq 1 200); do
    [ "$(readlink "/proc/$LAB_PEER_PID/ns/net" 2>/dev/null)" != "$own" ] && return 0
    sleep 0.01
  done
  echo "lab: the peer namespace did not come up" >&2
  return 1
}

lab_link() {
  ip link set lo up
  ip link add bia0 type veth peer name eth0 netns "$LAB_PEER_PID"
  ip addr add "$LAB_HOST6/64" dev bia0 nodad
  ip link set bia0 up
  peer ip link set lo up
  peer ip addr add "$LAB_PEER6/64" dev eth0 nodad
  peer ip addr add "$LAB_PEER6_B/64" dev eth0 nodad
  peer ip link set eth0 up
}

# The IPv4-only variant: no IPv6 on the link at all, on either side.
lab_link4() {
  ip link set lo up
  ip link add bia0 type veth peer name eth0 netns "$LAB_PEER_PID"
  echo 1 >/proc/sys/net/ipv6/conf/bia0/disable_ipv6
  ip addr add "$LAB_HOST4/24" dev bia0
  ip link set bia0 up
  peer ip link set lo up
  peer sh -c 'echo 1 >/proc/sys/net/ipv6/conf/eth0/disable_ipv6'
  peer ip addr add "$LAB_PEER4/24" dev eth0
  peer ip link set eth0 up
}

# Both families on the link, on both sides.
lab_link_dual() {
  lab_link
  ip addr add "$LAB_HOST4/24" dev bia0
  peer ip addr add "$LAB_PEER4/24" dev eth0
}

lab_dns_dual() {
  lab_dnsmasq "$LAB_PEER4" "getent ahostsv4 v4only.test" \
    --host-record=v6only.test,"$LAB_PEER6" \
    --host-record=v4only.test,"$LAB_PEER4" \
    --host-record=dual.test,"$LAB_PEER4","$LAB_PEER6"
}

lab_dns() {
  : >"$LAB_DIR/peer-hosts"
  lab_dnsmasq "$LAB_PEER6" "getent ahostsv6 v6only.test" \
    --local=/ipv4only.arpa/ --addn-hosts="$LAB_DIR/peer-hosts" \
    --host-record=v6only.test,"$LAB_PEER6" \
    --host-record=multi.test,"$LAB_PEER6" --host-record=multi.test,"$LAB_PEER6_B" \
    --host-record=dual.test,192.0.2.10,"$LAB_PEER6" \
    --host-record=v4only.test,192.0.2.20 \
    --mx-host=mail.test,v6only.test,10
}

lab_dns4() {
  lab_dnsmasq "$LAB_PEER4" "getent ahostsv4 v4only.test" \
    --host-record=v4only.test,"$LAB_PEER4" \
    --host-record=dual4.test,"$LAB_PEER4",2001:db8:9::2
}

# lab_dnsmasq LISTEN PROBE RECORD-OPTIONS...: the peer's DNS server, and
# the host pointed at it; PROBE is a query that works once it is up.
lab_dnsmasq() {
  local listen=$1; LAB_DNS_PROBE=$2; shift 2
  peer dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --user=root --group= --pid-file="$LAB_DIR/dnsmasq.pid" \
    --listen-address="$listen" --bind-interfaces --log-facility=- --local=/test/ \
    "$@" 2>"$LAB_DIR/dnsmasq.log" &
  LAB_DNS_PID=$!
  # The host sees only the lab's resolver and a minimal hosts file.
  printf 'nameserver %s\nsearch test\noptions timeout:2 attempts:2\n' "$listen" >"$LAB_DIR/resolv.conf"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$LAB_DIR/hosts"
  printf 'hosts: files dns\n' >"$LAB_DIR/nsswitch.conf"
  mount --bind "$LAB_DIR/resolv.conf" /etc/resolv.conf
  mount --bind "$LAB_DIR/hosts" /etc/hosts
  mount --bind "$LAB_DIR/nsswitch.conf" /etc/nsswitch.conf
  lab_wait "the lab's DNS server" lab_dns_ready
}

# Cheap checks first (dnsmasq alive and listening), so that the one real
# query is not spent waiting out the resolver's timeout.
lab_dns_ready() {
  kill -0 "$LAB_DNS_PID" 2>/dev/null || return 2
  peer ss -Huln "sport = :53" | grep -q . || return 1
  $LAB_DNS_PROBE >/dev/null 2>&1
}

# lab_wait WHAT CMD...: retry CMD for up to 20 s (a loaded machine can be
# slow to start dnsmasq); CMD returning 2 means it will never succeed.
lab_wait() {
  local what=$1 rc; shift
  local end=$((SECONDS + 20)) broken=$((SECONDS + 2))
  while [ $SECONDS -le $end ]; do
    "$@" && return 0
    rc=$?
    # grep's 2 (no such file, a bad pattern) ends the wait early, but not
    # at once: a background job may not have opened its output file yet.
    [ $rc -ne 2 ] || [ $SECONDS -lt $broken ] || break
    sleep 0.02
  done
  echo "lab: $what did not come up" >&2
  [ ! -s "$LAB_DIR/dnsmasq.log" ] || cat "$LAB_DIR/dnsmasq.log" >&2
  return 1
}

# peer_serve_tcp PORT: a TCP service on the peer, IPv6 only, that greets each
# client with the address family and address it saw the client come from.
peer_serve_tcp() {
  peer socat "TCP6-LISTEN:$1,ipv6only=1,reuseaddr,fork" \
    SYSTEM:'echo "hello from the IPv6-only peer, you are $SOCAT_PEERADDR"' &
  lab_wait "the peer's TCP service on port $1" peer_listening "$1"
}

# peer_serve_tcp4 PORT: the same greeting from the IPv4-only lab's peer.
peer_serve_tcp4() {
  peer socat "TCP4-LISTEN:$1,bind=$LAB_PEER4,reuseaddr,fork" \
    SYSTEM:'echo "hello from the IPv4-only peer, you are $SOCAT_PEERADDR"' &
  lab_wait "the peer's TCP service on port $1" peer_listening "$1"
}

# lab_nat64 [PREFIX/LEN]: a NAT64 on the IPv6-only network, faked: the peer
# answers for v4only.test's address 192.0.2.20 behind PREFIX (RFC 6052
# embedding, default 2001:db8:64::/96; that address is in $LAB_NAT64_PEER),
# the host routes PREFIX to the peer,
# and the DNS answers ipv4only.arpa AAAA as a DNS64 would (RFC 7050).
lab_nat64() {
  local prefix=${1:-2001:db8:64::/96}
  local addrs; addrs=$(python3 -c '
import ipaddress, sys
net = ipaddress.IPv6Network(sys.argv[1])
def embed(v4):
    b = bytearray(net.network_address.packed); v = ipaddress.IPv4Address(v4).packed
    at = [i for i in range(net.prefixlen // 8, 16) if i != 8][:4]
    for i, x in zip(at, v): b[i] = x
    return ipaddress.IPv6Address(bytes(b))
print(embed("192.0.2.20"), embed("192.0.0.170"), embed("192.0.0.171"))' "$prefix")
  set -- $addrs
  LAB_NAT64_PEER=$1
  peer ip addr add "$1/128" dev eth0 nodad
  ip -6 route add "$prefix" via "$LAB_PEER6"
  printf '%s ipv4only.arpa\n%s ipv4only.arpa\n' "$2" "$3" >"$LAB_DIR/peer-hosts"
  kill -HUP "$(cat "$LAB_DIR/dnsmasq.pid")"
  lab_wait "the NAT64 discovery answer" sh -c "getent ahostsv6 ipv4only.arpa | grep -q ."
}

# lab_tayga: a real NAT64 instead: tayga (a stateless NAT64 in user space,
# on a TUN device) on the peer, which forwards, for 2001:db8:64::/96, and an
# IPv4-only service behind it at 192.0.2.20 (v4only.test) that sees its
# clients as IPv4 addresses of tayga's pool 192.168.255.0/24.
lab_tayga() {
  local conf="$LAB_DIR/tayga.conf"
  printf 'tun-device nat64\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\ndynamic-pool 192.168.255.0/24\ndata-dir %s\n' \
    "$LAB_DIR/tayga" >"$conf"
  mkdir -p "$LAB_DIR/tayga"
  peer sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding; echo 1 >/proc/sys/net/ipv4/ip_forward'
  peer tayga --config "$conf" --mktun >/dev/null
  peer ip link set nat64 up
  peer ip route add 192.168.255.0/24 dev nat64
  peer ip route add 2001:db8:64::/96 dev nat64
  peer ip addr add 192.0.2.20/32 dev lo
  peer tayga --config "$conf" --nodetach >"$LAB_DIR/tayga.log" 2>&1 &
  ip -6 route add 2001:db8:64::/96 via "$LAB_PEER6"
  printf '2001:db8:64::c000:aa ipv4only.arpa\n2001:db8:64::c000:ab ipv4only.arpa\n' >"$LAB_DIR/peer-hosts"
  kill -HUP "$(cat "$LAB_DIR/dnsmasq.pid")"
  peer socat TCP4-LISTEN:8080,bind=192.0.2.20,reuseaddr,fork \
    SYSTEM:'echo "hello from the IPv4-only peer, you are $SOCAT_PEERADDR"' &
  lab_wait "the IPv4-only service behind tayga" peer_listening 8080
  lab_wait "the NAT64 discovery answer" sh -c "getent ahostsv6 ipv4only.arpa | grep -q ."
}

# lab_clat: what a user could run instead of bia: a userspace CLAT (the
# customer side of 464XLAT), tayga on a TUN device, on a host of its own
# ("clathost", a third namespace behind a second veth to the peer) so that
# the host bia runs on stays IPv6-only: with the CLAT's IPv4 address and
# route on it, bia's helper would rightly see a dual-stack host. The CLAT
# host's IPv4 address 192.0.0.2 and the peer, seen as $LAB_CLAT_PEER4, are
# translated statelessly to 2001:db8:2::100 and the peer's own IPv6 address.
# Run its programs with `clathost CMD`.
LAB_CLAT_PEER4=192.0.2.77
clathost() { nsenter --net="/proc/$LAB_CLATHOST_PID/ns/net" -- "$@"; }
lab_clat() {
  local conf="$LAB_DIR/clat.conf" mine=2001:db8:2::100 own=2001:db8:2::101
  unshare --net -- sleep infinity &
  LAB_CLATHOST_PID=$!
  lab_wait "the CLAT host's namespace" sh -c "[ \"\$(readlink /proc/$LAB_CLATHOST_PID/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"
  peer ip link add clat0 type veth peer name eth0 netns "$LAB_CLATHOST_PID"
  peer ip addr add 2001:db8:2::2/64 dev clat0 nodad
  peer ip link set clat0 up
  peer ip -6 route add "$mine/128" via 2001:db8:2::1
  peer ip -6 route add "$own/128" via 2001:db8:2::1
  clathost ip link set lo up
  clathost ip addr add 2001:db8:2::1/64 dev eth0 nodad
  clathost ip link set eth0 up
  clathost ip -6 route add default via 2001:db8:2::2
  clathost sysctl -qw net.ipv6.conf.all.forwarding=1
  printf 'tun-device clat\nipv4-addr 192.0.0.1\nipv6-addr %s\nmap 192.0.0.2 %s\nmap %s %s\ndata-dir %s\n' \
    "$own" "$mine" "$LAB_CLAT_PEER4" "$LAB_PEER6" "$LAB_DIR/clat" >"$conf"
  mkdir -p "$LAB_DIR/clat"
  clathost tayga --config "$conf" --mktun >/dev/null
  clathost ip link set clat up
  clathost ip addr add 192.0.0.2/32 dev clat
  clathost ip route add "$LAB_CLAT_PEER4/32" dev clat src 192.0.0.2
  clathost ip -6 route add "$mine/128" dev clat
  clathost ip -6 route add "$own/128" dev clat
  clathost tayga --config "$conf" --nodetach >"$LAB_DIR/clat.log" 2>&1 &
  lab_wait "the CLAT" sh -c "nsenter --net=/proc/$LAB_CLATHOST_PID/ns/net ip -4 addr show dev clat | grep -q 192.0.0.2 && pgrep -f 'tayga --config $conf --nodetach' >/dev/null"
}

# lab_dns_cache ZONE TTL: the host's DNS becomes a caching resolver (a
# second dnsmasq on the peer at $LAB_PEER6_B, logging every query it gets to
# $LAB_DIR/cache.log) in front of an authoritative server for ZONE, whose SOA
# has TTL and MINIMUM both TTL; other names it forwards to the lab's DNS. A
# negative answer it serves from its cache carries that SOA with its TTL
# counted down, as an ISP's resolver does (RFC 2308 section 5).
lab_dns_cache() {
  local zone=$1 ttl=$2
  peer dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root --group= --pid-file= \
    --listen-address="$LAB_PEER6_B" --port=5353 --bind-interfaces --log-facility=- \
    --auth-zone="$zone" --auth-server="ns.$zone,$LAB_PEER6_B" --auth-ttl="$ttl" 2>"$LAB_DIR/auth.log" &
  peer dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root --group= --pid-file= \
    --listen-address="$LAB_PEER6_B" --bind-interfaces --log-queries --log-facility="$LAB_DIR/cache.log" \
    --server="/$zone/$LAB_PEER6_B#5353" --server="$LAB_PEER6" &
  printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$LAB_PEER6_B" >"$LAB_DIR/resolv.conf"
  lab_wait "the caching DNS server" lab_dns_cache_ready
}

lab_dns_cache_ready() {
  [ "$(peer ss -Huln "( sport = :53 or sport = :5353 )" | grep -c "\[$LAB_PEER6_B\]")" = 2 ] || return 1
  getent ahostsv6 v6only.test. >/dev/null
}

# lab_add_ipv4 / lab_del_ipv4: IPv4 on the link (host 192.0.2.1, the peer
# 192.0.2.10 = dual.test's A record) and a default route: a dual-stack network.
lab_add_ipv4() {
  peer ip addr add 192.0.2.10/24 dev eth0
  ip addr add 192.0.2.1/24 dev bia0
  ip route add default via 192.0.2.10
}

lab_del_ipv4() {
  ip addr del 192.0.2.1/24 dev bia0
}

peer_listening() { peer ss -Htln "sport = :$1" | grep -q .; }
peer_listening_udp() { peer ss -Huln "sport = :$1" | grep -q .; }

lab_up() {
  lab_prepare
  lab_link
  lab_dns
  lab_log "IPv6-only host $LAB_HOST6, peer $LAB_PEER6 (dns) ready"
}

lab_up4() {
  lab_prepare
  lab_link4
  lab_dns4
  lab_log "IPv4-only host $LAB_HOST4, peer $LAB_PEER4 (dns) ready"
}

lab_up_dual() {
  lab_prepare
  lab_link_dual
  lab_dns_dual
  lab_log "dual-stack host $LAB_HOST6 + $LAB_HOST4, peer $LAB_PEER6 + $LAB_PEER4 (dns) ready"
}

lab_prepare() {
  LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bia-lab.XXXXXX")
  export XDG_RUNTIME_DIR="$LAB_DIR/run" XDG_STATE_HOME="$LAB_DIR/state" XDG_CONFIG_HOME="$LAB_DIR/config"
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  unset LD_PRELOAD BIA_SOCKET BIA_POOL BIA_NETWORK BIA_LOG BIA_LOG_FILE BIA_TIMEOUT_MS BIA_RESOLVE_TIMEOUT_MS \
    BIA_SYNTH BIA_SYNTH_PREFIX BIA_PLANE_ID
  # The lab's only user is root (a mapped one when the caller is not root),
  # and its helpers live and die with it: they may run as root.
  export BIA_ALLOW_ROOT=1
  trap 'rm -rf "$LAB_DIR"' EXIT
  lab_start_peer
}

# The bia command as a user runs it: the native launcher npm installs as
# `bia` (LAB_BIA, from lab.ts), else the Node CLI it hands most commands to.
bia() {
  if [ -n "${LAB_BIA:-}" ]; then "$LAB_BIA" "$@"; else node "$BIA_ROOT/dist/cli/main.js" "$@"; fi
}
