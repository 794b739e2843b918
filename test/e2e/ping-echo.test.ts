// End to end: iputils ping -4 to an IPv6-only name on an IPv6-only network
// (the lab in src/lab/lab.sh) through `bia run`: its ICMP socket becomes
// ICMPv6 at the same descriptor and the echoes are translated, so ping
// counts its replies and shows the stand-in address. As root ping uses a
// raw socket; as an ordinary user a ping socket (net.ipv4.ping_group_range
// opened in the lab's namespace), and bia runs it through its loader,
// without its file capability, so that LD_PRELOAD reaches it. Each case
// runs its control: the same ping without bia loses every packet. The
// errors a router sends back for an echo (destination unreachable, time
// exceeded) reach ping as their ICMPv4 twins, from a stand-in address.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { VICTIM, secondUidMissing } from '../support/second-uid.js';
import { skipWhen, toolMissing } from '../support/skip.js';
import { findTool } from '../../src/sbin.js';

// An ordinary user (VICTIM) with a bia of its own, and ping sockets allowed
// for every group in the lab's network namespace.
const AS_USER = String.raw`chmod 711 "$LAB_DIR"
U="$LAB_DIR/u${VICTIM}"; mkdir -p "$U/run" "$U/state" "$U/config"; chmod 700 "$U/run"; chown -R ${VICTIM}:${VICTIM} "$U"
as_user() {
  setpriv --reuid=${VICTIM} --regid=${VICTIM} --clear-groups env -u BIA_ALLOW_ROOT HOME="$U" XDG_RUNTIME_DIR="$U/run"     XDG_STATE_HOME="$U/state" XDG_CONFIG_HOME="$U/config" "$@"
}
sysctl -qw net.ipv4.ping_group_range="0 2147483647"`;

// The peer forwards, as a router: its route to banned.test (2001:db8:2::1)
// is "prohibit" (ICMPv6 administratively prohibited), and far.test
// (2001:db8:3::1) is routed on, so that a hop limit of 1 ends at the peer
// (ICMPv6 time exceeded).
const ROUTER = String.raw`peer sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
peer ip -6 route add prohibit 2001:db8:2::/64
peer ip -6 route add 2001:db8:3::/64 via 2001:db8:1::1
ip -6 route add 2001:db8:2::/64 via 2001:db8:1::2
ip -6 route add 2001:db8:3::/64 via 2001:db8:1::2
printf '2001:db8:2::1 banned.test\n2001:db8:3::1 far.test\n' >"$LAB_DIR/peer-hosts"
kill -HUP "$(cat "$LAB_DIR/dnsmasq.pid")"
lab_wait "the name far.test" sh -c "getent ahostsv6 far.test | grep -q ."`;

// ping's lines for the two errors, from the router's stand-in address.
function erred(stdout: string, name: string): void {
  const part = stdout.split(`== ${name}\n`)[1]?.split('== ')[0] ?? '';
  expect(part, stdout).toMatch(/^From 198\.18\.0\.\d+ icmp_seq=1 Destination Host Prohibited$/m);
  expect(part, stdout).toMatch(/^From 198\.18\.0\.\d+ icmp_seq=1 Time to live exceeded$/m);
}

// Three echoes answered, shown from the stand-in address.
function answered(stdout: string, name: string): void {
  const part = stdout.split(`== ${name}\n`)[1]?.split('== ')[0] ?? '';
  expect(part, stdout).toMatch(/^PING .*\(198\.18\.0\.\d+\) 56\(84\) bytes of data\.$/m);
  expect(part.match(/^64 bytes from (v6only\.test )?\(?198\.18\.0\.\d+\)?: icmp_seq=\d ttl=64 time=/gm), part).toHaveLength(3);
  expect(part).toMatch(/^3 packets transmitted, 3 received, 0% packet loss/m);
  expect(part).not.toMatch(/BAD CHECKSUM|wrong data|DUP!/);
}

describe('ping -4 to an IPv6-only peer', skipWhen(labMissing), () => {
  it('as root (a raw ICMP socket): 3 echoes answered, from the stand-in address; without bia none', async () => {
    const r = await lab(`ping -4 -c 1 -W 1 v6only.test; echo "RESULT plain $?"
echo "== bia"; bia run -- ping -4 -c 3 -i 0.2 -W 2 v6only.test; echo "RESULT bia $?"
${ROUTER}
echo "== errors"; bia run -- ping -4 -n -c 1 -W 2 banned.test; bia run -- ping -4 -n -c 1 -W 2 -t 1 far.test
echo "== end"`);
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    expect(r.rc('bia'), `${r.stdout}\n${r.stderr}`).toBe(0);
    answered(r.stdout, 'bia');
    erred(r.stdout, 'errors');
    expect(r.stderr).not.toContain('file capabilities');
  });
});

describe('ping -4 to an IPv6-only peer as an ordinary user', skipWhen(labMissing, secondUidMissing), () => {
  it('a ping socket, from both launchers (ping runs without its file capability); without bia none', async () => {
    const r = await lab(`${AS_USER}
as_user ping -4 -c 1 -W 1 v6only.test; echo "RESULT plain $?"
as_user "$LAB_BIA" run -- true   # the user's helper, so that the native launcher takes its fast path
echo "== c"; as_user "$LAB_BIA" run --log-level debug -- ping -4 -c 3 -i 0.2 -W 2 v6only.test; echo "RESULT c $?"
echo "== node"; as_user node "$BIA_ROOT/dist/cli/main.js" run -- ping -4 -c 3 -i 0.2 -W 2 v6only.test; echo "RESULT node $?"
${ROUTER}
echo "== errors"; as_user "$LAB_BIA" run -- ping -4 -n -c 1 -W 2 banned.test; as_user "$LAB_BIA" run -- ping -4 -n -c 1 -W 2 -t 1 far.test
echo "== end"
as_user "$LAB_BIA" stop >/dev/null 2>&1`, { timeoutMs: 90_000 });
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    for (const how of ['c', 'node']) {
      expect(r.rc(how), `${how}\n${r.stdout}\n${r.stderr}`).toBe(0);
      answered(r.stdout, how);
    }
    erred(r.stdout, 'errors');
    expect(r.stderr).toMatch(/launcher: .* running ping directly/);
    expect(r.stderr).not.toContain('file capabilities');
  });
});

const tracersMissing = toolMissing(findTool('traceroute') !== undefined && findTool('tracepath') !== undefined, 'traceroute and tracepath are not installed (apt-get install traceroute iputils-tracepath)');

describe('traceroute -4 and tracepath -4 to an IPv6-only peer behind a router', skipWhen(labMissing, tracersMissing), () => {
  it('UDP probes, ICMP probes (-I, a raw socket) and tracepath show the router at hop 1 by its stand-in address; without bia the name does not resolve', async () => {
    const r = await lab(`${ROUTER}
traceroute -4 -n -m 2 -w 1 -q 1 far.test; echo "RESULT plain $?"
echo "== udp"; bia run -- traceroute -4 -n -m 2 -w 1 -q 1 far.test; echo "RESULT udp $?"
echo "== icmp"; bia run -- traceroute -4 -I -n -m 2 -w 1 -q 1 far.test; echo "RESULT icmp $?"
echo "== tracepath"; timeout 20 "$LAB_BIA" run -- tracepath -4 -n -m 2 far.test; echo "RESULT tracepath $?"
echo "== end"`, { timeoutMs: 90_000 });
    expect(r.rc('plain'), r.stdout).not.toBe(0);
    for (const name of ['udp', 'icmp']) {
      expect(r.rc(name), `${name}\n${r.stdout}\n${r.stderr}`).toBe(0);
      const part = r.stdout.split(`== ${name}\n`)[1]?.split('== ')[0] ?? '';
      expect(part, r.stdout).toMatch(/^traceroute to far\.test \(198\.18\.0\.\d+\), 2 hops max/m);
      expect(part, r.stdout).toMatch(/^ 1 {2}198\.18\.0\.\d+ {2}[\d.]+ ms$/m);
    }
    // No endless probing at the IPv6 MTU: the path MTU in IPv4 terms.
    expect(r.rc('tracepath'), r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^ 1: {2}198\.18\.0\.\d+ +[\d.]+ms $/m);
    expect(r.stdout).toMatch(/pmtu 1480/);
  });
});
