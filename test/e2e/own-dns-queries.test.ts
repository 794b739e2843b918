// End to end: real programs that send their own DNS queries (they read
// resolv.conf and never call getaddrinfo) get the extension name resolver's
// answers through `bia run`: the preload steers their queries to the
// helper's DNS endpoint (docs/function-mapper.md, "DNS that programs send
// themselves"). Every case runs its control: the same command without bia.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen, toolMissing } from '../support/skip.js';

const has = (cmd: string, ...args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const digMissing = toolMissing(has('dig', '-v'), 'dig is not installed (apt-get install dnsutils)');
// Debian's python3, whatever python3 comes first on PATH.
const PY = '/usr/bin/python3';
const dnspythonMissing = toolMissing(has(PY, '-c', 'import dns.resolver'), 'dnspython is not installed (apt-get install python3-dnspython)');

const POOL = /198\.1[89]\.\d+\.\d+/;
const DIG = 'dig +tries=1 +timeout=2 +short';

describe('programs that send their own DNS queries, on an IPv6-only network', skipWhen(labMissing, digMissing, dnspythonMissing), () => {
  it('dig -4 (UDP and TCP), host and nslookup get the pool address of an AAAA-only name, and its name back by PTR; without bia they fail', async () => {
    const r = await lab(`${DIG} -4 v6only.test A; echo "RESULT plain $?"
bia run -- ${DIG} -4 v6only.test A; echo "RESULT bia $?"
bia run -- ${DIG} -4 +tcp v6only.test A | sed 's/^/tcp /'
addr=$(bia run -- ${DIG} -4 v6only.test A)
bia run -- ${DIG} -4 -x "$addr" | sed 's/^/ptr /'
host -4 -W 2 v6only.test; echo "RESULT host-plain $?"
bia run -- host -4 -W 2 v6only.test; echo "RESULT host $?"
nslookup -timeout=2 -type=A v6only.test | sed 's/^/nslookup-plain /'
bia run -- nslookup -timeout=2 -type=A v6only.test; echo "RESULT nslookup $?"`);
    // dig -4 finds no IPv4 server in resolv.conf and falls back to 127.0.0.1:53.
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stdout).toMatch(/communications error to 127\.0\.0\.1#53/);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const addr = r.stdout.match(new RegExp(`^(${POOL.source})$`, 'm'))?.[1];
    expect(addr, r.stdout).toBeDefined();
    expect(r.stdout).toContain(`tcp ${addr}`);
    expect(r.stdout).toContain('ptr v6only.test.');
    expect(r.rc('host-plain')).not.toBe(0);
    expect(r.rc('host'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`v6only.test has address ${addr}`);
    // nslookup exits 0 without an A record: it says so.
    expect(r.stdout).toMatch(/^nslookup-plain \*\*\* Can't find v6only\.test: No answer$/m);
    expect(r.rc('nslookup'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Name:\\s+v6only\\.test\\nAddress: ${addr!.replace(/\./g, '\\.')}`));
  });

  it("dig without -4 asks the IPv6 server it was given, and other questions stay the server's", async () => {
    const r = await lab(`${DIG} v6only.test A | sed 's/^/plain /'; echo "RESULT plain $?"
bia run -- ${DIG} v6only.test A | sed 's/^/a /'
bia run -- ${DIG} v6only.test AAAA | sed 's/^/aaaa /'
bia run -- ${DIG} mail.test MX | sed 's/^/mx /'
bia run -- dig +tries=1 +timeout=2 nothing.test A | grep -o 'status: [A-Z]*' | sed 's/^/nx /'`);
    expect(r.stdout).not.toMatch(/^plain /m);
    expect(r.stdout).toMatch(new RegExp(`^a ${POOL.source}$`, 'm'));
    expect(r.stdout).toMatch(/^aaaa 2001:db8:1::2$/m);
    expect(r.stdout).toMatch(/^mx 10 v6only\.test\.$/m);
    expect(r.stdout).toMatch(/^nx status: NXDOMAIN$/m);
  });

  it('dnspython resolves an AAAA-only name to a pool address that python then connects to; without bia NoAnswer', async () => {
    const script = `${PY} - <<'PY'
import socket, dns.resolver
addr = dns.resolver.resolve("v6only.test", "A").rrset[0].address
print("resolved", addr)
s = socket.create_connection((addr, 8080), timeout=3)
print("greeting", s.recv(200).decode().strip())
PY`;
    const r = await lab(`peer_serve_tcp 8080
${script}
echo "RESULT plain $?"
bia run -- ${script}
echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stderr).toMatch(/NoAnswer/);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^resolved ${POOL.source}$`, 'm'));
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });

  it('a program whose helper was killed asks its servers itself again, for the questions they answer', async () => {
    const script = String.raw`cat >"$LAB_DIR/ask.py" <<'PY'
import os, time, dns.resolver
r = dns.resolver.Resolver()
r.lifetime = 3
print("before", r.resolve("v6only.test", "A").rrset[0].address, flush=True)
while not os.path.exists(os.path.join(os.environ["LAB_DIR"], "killed")):
    time.sleep(0.05)
print("after", r.resolve("v6only.test", "AAAA").rrset[0].address, flush=True)
PY`;
    const r = await lab(`${script}
LAB_DIR="$LAB_DIR" bia run -- ${PY} -u "$LAB_DIR/ask.py" >"$LAB_DIR/ask.out" 2>&1 &
ASK=$!
lab_wait "the first answer" grep -q '^before' "$LAB_DIR/ask.out"
HELPER=$(bia status --json | ${PY} -c 'import json, sys; print(json.load(sys.stdin)["helper"]["pid"])')
kill -9 "$HELPER"
while kill -0 "$HELPER" 2>/dev/null; do sleep 0.05; done
touch "$LAB_DIR/killed"
wait "$ASK"; echo "RESULT ask $?"
cat "$LAB_DIR/ask.out"`);
    expect(r.rc('ask'), r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^before ${POOL.source}$`, 'm'));
    expect(r.stdout).toMatch(/^after 2001:db8:1::2$/m);
  });

  it("node's dns.resolve4 (c-ares) gets the pool address with its ttl; without bia ENODATA", async () => {
    const script = `node -e 'require("dns").resolve4("v6only.test", { ttl: true }, (e, a) => { console.log("node", e ? e.code : JSON.stringify(a)); process.exit(e ? 1 : 0); })'`;
    const r = await lab(`${script}; echo "RESULT plain $?"
bia run -- ${script}; echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stdout).toContain('node ENODATA');
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`node \\[\\{"address":"${POOL.source}","ttl":\\d+\\}\\]`));
  });
});

describe('programs that send their own DNS queries, on an IPv4-only network', skipWhen(labMissing, digMissing), () => {
  it("dig -6 and node's dns.resolve6 get the synthesized address of an A-only name (and dig -6 -x its name); without bia they fail", async () => {
    const node = `node -e 'require("dns").resolve6("v4only.test", (e, a) => { console.log("node", e ? e.code : a.join(",")); process.exit(e ? 1 : 0); })'`;
    const r = await lab(`${DIG} -6 v4only.test AAAA; echo "RESULT plain $?"
bia run -- ${DIG} -6 v4only.test AAAA; echo "RESULT bia $?"
bia run -- ${DIG} -6 -x ::ffff:198.51.100.2 | sed 's/^/ptr /'
${node}; echo "RESULT node-plain $?"
bia run -- ${node}; echo "RESULT node $?"`, { family: 4 });
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stdout).toMatch(/communications error to ::1#53/);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^::ffff:198\.51\.100\.2$/m);
    // Its reverse: a CNAME to the IPv4 address's name, as a DNS64 answers.
    expect(r.stdout).toMatch(/^ptr 2\.100\.51\.198\.in-addr\.arpa\.\nptr v4only\.test\.$/m);
    expect(r.rc('node-plain')).not.toBe(0);
    expect(r.stdout).toContain('node ENODATA');
    expect(r.rc('node'), r.stderr).toBe(0);
    expect(r.stdout).toContain('node ::ffff:198.51.100.2');
  });
});
