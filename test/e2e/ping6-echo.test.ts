// End to end: iputils ping -6 to an A-only name on an IPv4-only network
// (lab_up4 in src/lab/lab.sh) through `bia run`: the program's ICMPv6
// socket becomes ICMPv4 at the same descriptor and the echoes are
// translated (preload/core/v6prog/icmp6echo.c), so ping counts its replies
// and shows the synthesized address. As root ping uses a raw socket; as an
// ordinary user a ping socket (net.ipv4.ping_group_range opened in the
// lab's namespace, which also rules ICMPv6 ping sockets), and bia runs it
// through its loader, without its file capability, so that LD_PRELOAD
// reaches it. Each case runs its control: the same ping without bia fails.
// The errors a router sends back for an echo (destination unreachable,
// time exceeded) reach ping as their ICMPv6 twins.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { VICTIM, secondUidMissing } from '../support/second-uid.js';
import { skipWhen, toolMissing } from '../support/skip.js';
import { findTool } from '../../src/sbin.js';

const FOUR = { family: 4 as const };

// An ordinary user (VICTIM) with a bia of its own, and ping sockets allowed
// for every group in the lab's network namespace.
const AS_USER = String.raw`chmod 711 "$LAB_DIR"
U="$LAB_DIR/u${VICTIM}"; mkdir -p "$U/run" "$U/state" "$U/config"; chmod 700 "$U/run"; chown -R ${VICTIM}:${VICTIM} "$U"
as_user() {
  setpriv --reuid=${VICTIM} --regid=${VICTIM} --clear-groups env -u BIA_ALLOW_ROOT HOME="$U" XDG_RUNTIME_DIR="$U/run" XDG_STATE_HOME="$U/state" XDG_CONFIG_HOME="$U/config" "$@"
}
sysctl -qw net.ipv4.ping_group_range="0 2147483647"`;

// The peer forwards, as a router: its route to 203.0.113.0/24 is
// "prohibit" (ICMP administratively prohibited), and 203.0.114.0/24 is
// routed on, so that a TTL of 1 ends at the peer (ICMP time exceeded).
// Those hosts are pinged by their synthesized (here IPv4-mapped) literals.
const ROUTER = String.raw`peer sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
peer ip route add prohibit 203.0.113.0/24
peer ip route add 203.0.114.0/24 via 198.51.100.1
ip route add 203.0.113.0/24 via 198.51.100.2
ip route add 203.0.114.0/24 via 198.51.100.2`;

function part(stdout: string, name: string): string {
  return stdout.split(`== ${name}\n`)[1]?.split('== ')[0] ?? '';
}

// Three echoes answered, shown from the name and the synthesized address
// (ping's reverse lookup of a synthesized address names the IPv4 peer:
// names/nameinfo.c).
function answered(stdout: string, name: string, peer: string): void {
  const p = part(stdout, name);
  const at = peer.replace(/\./g, '\\.');
  expect(p, stdout).toMatch(new RegExp(`^PING v4only\\.test\\((v4only\\.test \\()?${at}\\)?\\) 56 data bytes$`, 'm'));
  expect(p.match(new RegExp(`^64 bytes from v4only\\.test \\(${at}\\): icmp_seq=\\d ttl=64 time=`, 'gm')), p).toHaveLength(3);
  expect(p).toMatch(/^3 packets transmitted, 3 received, 0% packet loss/m);
  expect(p).not.toMatch(/BAD CHECKSUM|wrong data|DUP!/);
}

// ping's lines for the two errors, from the router's synthesized address.
function erred(stdout: string, name: string): void {
  const p = part(stdout, name);
  expect(p, stdout).toMatch(/^From ::ffff:198\.51\.100\.2 icmp_seq=1 Destination unreachable: Administratively prohibited$/m);
  expect(p, stdout).toMatch(/^From ::ffff:198\.51\.100\.2 icmp_seq=1 Time exceeded: Hop limit$/m);
}

describe('ping -6 to an A-only name on an IPv4-only network', skipWhen(labMissing), () => {
  it('as root (a raw ICMPv6 socket): 3 echoes answered, from the synthesized address; without bia none', async () => {
    const r = await lab(`ping -6 -c 1 -W 1 v4only.test; echo "RESULT plain $?"
echo "== bia"; bia run --log-level info -- ping -6 -c 3 -i 0.2 -W 2 v4only.test; echo "RESULT bia $?"
echo "== loopback"; bia run --log-level info -- ping -6 -n -c 1 -W 2 ::1; echo "RESULT loopback $?"
${ROUTER}
ping -6 -n -c 1 -W 1 ::ffff:203.0.113.1; echo "RESULT plainerr $?"
echo "== errors"; bia run -- ping -6 -n -c 1 -W 2 ::ffff:203.0.113.1; bia run -- ping -6 -n -c 1 -W 2 -t 1 ::ffff:203.0.114.1
echo "== end"`, FOUR);
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    expect(r.rc('plainerr'), r.stdout).not.toBe(0);
    expect(r.rc('bia'), `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/ICMPv6 echo socket \d+ \(raw\): an ICMPv4 one now/);
    answered(r.stdout, 'bia', '::ffff:198.51.100.2');
    // A genuine IPv6 destination leaves the socket ICMPv6.
    expect(r.rc('loopback'), r.stdout).toBe(0);
    expect(part(r.stdout, 'loopback')).toMatch(/^64 bytes from ::1: icmp_seq=1 ttl=64 time=/m);
    expect(r.stderr.match(/an ICMPv4 one now/g)).toHaveLength(1);
    erred(r.stdout, 'errors');
  });

  it('in a synthesized format other than the mapped one (RFC 6052 64:ff9b::/96)', async () => {
    const r = await lab(`echo "== bia"; bia run --synth prefix -- ping -6 -c 3 -i 0.2 -W 2 v4only.test; echo "RESULT bia $?"
echo "== end"`, FOUR);
    expect(r.rc('bia'), `${r.stdout}\n${r.stderr}`).toBe(0);
    answered(r.stdout, 'bia', '64:ff9b::c633:6402');
  });
});

const tracersMissing = toolMissing(findTool('traceroute') !== undefined && findTool('tracepath') !== undefined, 'traceroute and tracepath are not installed (apt-get install traceroute iputils-tracepath)');

describe('traceroute -6 and tracepath -6 to a host behind a router on an IPv4-only network', skipWhen(labMissing, tracersMissing), () => {
  it('UDP probes, ICMP probes (-I, a raw socket) and tracepath show the router at hop 1 by its synthesized address; without bia none', async () => {
    // The mapped format is traceroute's own refusal ("Cannot handle host"):
    // it takes no IPv4-mapped target; the 64:ff9b:: one it takes.
    // tracepath starts at 128000 bytes, more than an IPv4 datagram holds:
    // -l says where to start instead.
    const r = await lab(`${ROUTER}
traceroute -6 -I -n -m 1 -w 1 -q 1 64:ff9b::cb00:7201; echo "RESULT plain $?"
echo "== udp"; bia run --synth prefix -- traceroute -6 -n -m 1 -w 1 -q 1 64:ff9b::cb00:7201; echo "RESULT udp $?"
echo "== icmp"; bia run --synth prefix -- traceroute -6 -I -n -m 1 -w 1 -q 1 64:ff9b::cb00:7201; echo "RESULT icmp $?"
echo "== tracepath"; timeout 20 "$LAB_BIA" run --synth prefix -- tracepath -6 -n -l 1400 -m 1 64:ff9b::cb00:7201; echo "RESULT tracepath $?"
echo "== end"`, { ...FOUR, timeoutMs: 60_000 });
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    for (const name of ['udp', 'icmp']) {
      expect(r.rc(name), `${name}\n${r.stdout}\n${r.stderr}`).toBe(0);
      const p = part(r.stdout, name);
      expect(p, r.stdout).toMatch(/^traceroute to 64:ff9b::cb00:7201 \(64:ff9b::cb00:7201\), 1 hops max/m);
      expect(p, r.stdout).toMatch(/^ 1 {2}64:ff9b::c633:6402 {2}[\d.]+ ms$/m);
    }
    expect(r.rc('tracepath'), r.stdout).toBe(0);
    expect(part(r.stdout, 'tracepath'), r.stdout).toMatch(/^ 1: {2}64:ff9b::c633:6402 +[\d.]+ms $/m);
  });
});

describe('ping -6 to an A-only name as an ordinary user', skipWhen(labMissing, secondUidMissing), () => {
  it('a ping socket, from both launchers (ping runs without its file capability); without bia none', async () => {
    const r = await lab(`${AS_USER}
as_user ping -6 -c 1 -W 1 v4only.test; echo "RESULT plain $?"
as_user "$LAB_BIA" run -- true   # the user's helper, so that the native launcher takes its fast path
echo "== c"; as_user "$LAB_BIA" run --log-level debug -- ping -6 -c 3 -i 0.2 -W 2 v4only.test; echo "RESULT c $?"
echo "== node"; as_user node "$BIA_ROOT/dist/cli/main.js" run -- ping -6 -c 3 -i 0.2 -W 2 v4only.test; echo "RESULT node $?"
${ROUTER}
echo "== errors"; as_user "$LAB_BIA" run -- ping -6 -n -c 1 -W 2 ::ffff:203.0.113.1; as_user "$LAB_BIA" run -- ping -6 -n -c 1 -W 2 -t 1 ::ffff:203.0.114.1
echo "== end"
as_user "$LAB_BIA" stop >/dev/null 2>&1`, { ...FOUR, timeoutMs: 90_000 });
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    for (const how of ['c', 'node']) {
      expect(r.rc(how), `${how}\n${r.stdout}\n${r.stderr}`).toBe(0);
      answered(r.stdout, how, '::ffff:198.51.100.2');
    }
    expect(r.stderr).toMatch(/ICMPv6 echo socket \d+ \(ping socket\): an ICMPv4 one now/);
    erred(r.stdout, 'errors');
    expect(r.stderr).toMatch(/launcher: .* running ping directly/);
    expect(r.stderr).not.toContain('file capabilities');
  });
});
