// End to end: the name services an IPv4-only program uses besides
// gethostbyname/getaddrinfo(AF_INET) (issue 3, items 4 and 5): reverse
// lookups of pool addresses, getaddrinfo flags and AF_UNSPEC, IPv6
// literals given to IPv4 parsers, and programs doing their own DNS with
// res_query. Real programs in the lab, each with its control without bia.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { packageRoot } from '../../src/package-root.js';

/** The lines of one run that start with `tag `, from the block between "BEGIN run" and "END run". */
function section(stdout: string, run: string): string {
  const m = stdout.match(new RegExp(`^BEGIN ${run}$([\\s\\S]*?)^END ${run}$`, 'm'));
  if (!m) throw new Error(`no section ${run} in:\n${stdout}`);
  return m[1];
}

const POOL = String.raw`198\.1[89]\.\d+\.\d+`;

// Every check prints one line "label value", or "label ERROR <exception>".
const PY_NAMES = String.raw`python3 - <<'PY'
import socket
def check(label, f):
    try:
        print(label, f())
    except Exception as e:
        print(label, "ERROR", type(e).__name__, e)
check("ex", lambda: sorted(socket.gethostbyname_ex("multi.test")[2]))
a = None
try:
    a = socket.gethostbyname("v6only.test")
except Exception:
    pass
print("pool", a)
check("byaddr", lambda: socket.gethostbyaddr(a)[0])
check("nameinfo", lambda: socket.getnameinfo((a, 8080), 0))
check("numeric", lambda: socket.getnameinfo((a, 8080), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))
check("canon", lambda: [(i[3], i[4][0]) for i in socket.getaddrinfo("v6only", 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)])
check("addrconfig", lambda: [i[4][0] for i in socket.getaddrinfo("v6only.test", 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG)])
check("unspec", lambda: [(i[0].name, i[4][0]) for i in socket.getaddrinfo("v6only.test", 80, 0, socket.SOCK_STREAM)])
check("unspec-dual", lambda: [(i[0].name, i[4][0]) for i in socket.getaddrinfo("dual.test", 80, 0, socket.SOCK_STREAM)])
check("aton", lambda: socket.inet_ntoa(socket.inet_aton("2001:db8:1::2")))
check("pton", lambda: socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, "2001:db8:1::2")))
check("byname-literal", lambda: socket.gethostbyname("2001:db8:1::2"))
check("aton-v4", lambda: socket.inet_ntoa(socket.inet_aton("10.1.2.3")))
check("aton-bad", lambda: socket.inet_aton("2001:db8:::zz"))
lit = None
try:
    lit = socket.inet_ntoa(socket.inet_aton("2001:db8:1::99"))
except Exception:
    pass
check("literal-byaddr", lambda: socket.gethostbyaddr(lit))
check("literal-namereqd", lambda: socket.getnameinfo((lit, 80), socket.NI_NAMEREQD))
check("literal-nameinfo", lambda: socket.getnameinfo((lit, 80), socket.NI_NUMERICSERV) == (lit, "80"))
def null_hints():
    # getaddrinfo(name, NULL, NULL, &res), which Python cannot spell: the
    # families of the answer, in order.
    import ctypes
    class AI(ctypes.Structure):
        pass
    AI._fields_ = [("flags", ctypes.c_int), ("family", ctypes.c_int), ("socktype", ctypes.c_int),
                   ("protocol", ctypes.c_int), ("addrlen", ctypes.c_uint32), ("addr", ctypes.c_void_p),
                   ("canonname", ctypes.c_char_p), ("next", ctypes.POINTER(AI))]
    libc = ctypes.CDLL(None)
    res = ctypes.POINTER(AI)()
    rc = libc.getaddrinfo(b"v6only.test", None, None, ctypes.byref(res))
    if rc:
        return "rc %d" % rc
    families, node = [], res
    while node:
        families.append({2: "AF_INET", 10: "AF_INET6"}[node.contents.family])
        node = node.contents.next
    libc.freeaddrinfo(res)
    return sorted(set(families), key=families.index)
check("nullhints", null_hints)
def via_literal():
    s = socket.create_connection((socket.inet_ntoa(socket.inet_aton("2001:db8:1::3")), 8080), timeout=3)
    return s.recv(200).decode().strip()
check("connect-literal", via_literal)
# Last: dual.test pairs its A record with the AAAA v6only.test has too.
check("byaddr-paired", lambda: socket.gethostbyaddr(socket.gethostbyname("dual.test"))[0])
PY`;

describe('name services for an IPv4-only program on an IPv6-only network', skipWhen(labMissing), () => {
  it('python3: every address, reverse lookups, getaddrinfo flags and AF_UNSPEC, IPv6 literals', async () => {
    const r = await lab(`peer_serve_tcp 8080
echo "BEGIN plain"; ${PY_NAMES}
echo "END plain"; echo "RESULT plain $?"
echo "BEGIN bia"; bia run -- ${PY_NAMES}
echo "END bia"; echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const plain = section(r.stdout, 'plain');
    const out = section(r.stdout, 'bia');
    // Without bia: no IPv4 answer for IPv6-only names, and no IPv6 literal is IPv4.
    expect(plain).toMatch(/^ex ERROR/m);
    expect(plain).toMatch(/^pool None$/m);
    expect(plain).toMatch(/^addrconfig ERROR/m);
    expect(plain).toMatch(/^unspec \[\('AF_INET6', '2001:db8:1::2'\)\]$/m);
    expect(plain).toContain("nullhints ['AF_INET6']");
    expect(plain).toMatch(/^aton ERROR/m);
    expect(plain).toMatch(/^pton ERROR/m);
    expect(plain).toMatch(/^byname-literal ERROR/m);
    // With bia.
    expect(out).toMatch(new RegExp(`^ex \\['${POOL}', '${POOL}'\\]$`, 'm'));
    const pool = out.match(new RegExp(`^pool (${POOL})$`, 'm'))?.[1];
    expect(pool, out).toBeDefined();
    expect(out).toContain('byaddr v6only.test');
    expect(out).toContain("nameinfo ('v6only.test', 'http-alt')");
    expect(out).toContain(`numeric ('${pool}', '8080')`);
    expect(out).toContain(`canon [('v6only.test', '${pool}')]`);
    expect(out).toContain(`addrconfig ['${pool}']`);
    // Native IPv6 first, the pool address after it (RFC 6724: synthesized last).
    expect(out).toContain(`unspec [('AF_INET6', '2001:db8:1::2'), ('AF_INET', '${pool}')]`);
    // A dual-stack name's AF_UNSPEC answer is libc's own (it has its A record).
    expect(out).toContain("nullhints ['AF_INET6', 'AF_INET']");
    expect(out).toContain("unspec-dual [('AF_INET6', '2001:db8:1::2'), ('AF_INET', '192.0.2.10')]");
    expect(out).toContain(`aton ${pool}`);
    expect(out).toContain(`pton ${pool}`);
    expect(out).toContain(`byname-literal ${pool}`);
    expect(out).toContain('aton-v4 10.1.2.3');
    expect(out).toMatch(/^aton-bad ERROR OSError/m);
    // A literal is no name: reverse lookups answer like an address without PTR.
    expect(out).toMatch(/^literal-byaddr ERROR herror \[Errno 1\] Unknown host$/m);
    expect(out).toMatch(/^literal-namereqd ERROR gaierror \[Errno -2\]/m);
    expect(out).toContain('literal-nameinfo True');
    expect(out).toContain('connect-literal hello from the IPv6-only peer');
    // A real A address paired with an AAAA answers with its name too (here
    // the same as its PTR record, which libc finds without bia).
    expect(out).toContain('byaddr-paired dual.test');
  });

  it('a name looked up again within its ttl is answered inside the process, without a helper round trip', async () => {
    // The helper at debug level logs one line per request it answers.
    const r = await lab(`peer_serve_tcp 8080
SOCK="$LAB_DIR/debug.sock"
bia helper --socket "$SOCK" --log-level debug 2>"$LAB_DIR/debug.log" &
lab_wait "the debug helper" test -S "$SOCK"
BIA_SOCKET="$SOCK" bia run -- python3 -c '
import socket
addrs = {socket.gethostbyname("v6only.test") for _ in range(50)}
addrs |= {i[4][0] for _ in range(50) for i in socket.getaddrinfo("v6only.test", 8080, socket.AF_INET, socket.SOCK_STREAM)}
print("addresses", sorted(addrs))
s = socket.create_connection(("v6only.test", 8080), timeout=3)
print("greeting", s.recv(200).decode().strip())'
echo "RESULT run $?"
echo "resolves $(grep -c 'RESOLVE4 v6only.test .*->' "$LAB_DIR/debug.log")"`);
    expect(r.rc('run'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^addresses \\['${POOL}'\\]$`, 'm'));
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
    expect(r.stdout).toMatch(/^resolves 1$/m);
  });

  it('nc.traditional takes an IPv6 literal; getent resolves and reverse-resolves through bia', async () => {
    const r = await lab(`peer_serve_tcp 8080
nc.traditional -w 2 2001:db8:1::2 8080; echo "RESULT ncplain $?"
bia run -- nc.traditional -w 2 2001:db8:1::2 8080; echo "RESULT nc $?"
getent ahostsv4 v6only.test; echo "RESULT ahostsplain $?"
echo "BEGIN ahosts"; bia run -- getent ahostsv4 v6only.test; echo "RESULT ahosts $?"; echo "END ahosts"
echo "BEGIN ahostsany"; bia run -- getent ahosts v6only.test; echo "END ahostsany"
POOL=$(bia run -- getent ahostsv4 v6only.test | awk 'NR==1 {print $1}')
getent hosts "$POOL"; echo "RESULT hostsplain $?"
echo "BEGIN hosts"; bia run -- sh -c "getent ahostsv4 v6only.test >/dev/null && getent hosts $POOL"; echo "RESULT hosts $?"; echo "END hosts"`);
    expect(r.rc('ncplain')).not.toBe(0);
    expect(r.stderr).toContain('2001:db8:1::2: forward host lookup failed');
    expect(r.rc('nc'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from the IPv6-only peer');
    expect(r.rc('ahostsplain')).not.toBe(0);
    expect(r.rc('ahosts'), r.stderr).toBe(0);
    expect(section(r.stdout, 'ahosts')).toMatch(new RegExp(`^${POOL} +STREAM v6only\\.test$`, 'm'));
    // AF_UNSPEC: native IPv6 first, the pool address after it.
    expect(section(r.stdout, 'ahostsany')).toMatch(new RegExp(`^2001:db8:1::2 +STREAM v6only\\.test\n[^]*^${POOL} +STREAM`, 'm'));
    expect(r.rc('hostsplain')).not.toBe(0);
    expect(r.rc('hosts'), r.stderr).toBe(0);
    expect(section(r.stdout, 'hosts')).toMatch(new RegExp(`^${POOL} +v6only\\.test$`, 'm'));
  });

  it('getnameinfo NI_NOFQDN cuts the local domain off the pool name, as libc does for its own names', async () => {
    // localhost's canonical name gives glibc the local domain: "test".
    const r = await lab(String.raw`printf '127.0.0.1 localhost.test localhost
192.0.2.55 box.test
' >"$LAB_DIR/hosts.nofqdn"
mount --bind "$LAB_DIR/hosts.nofqdn" /etc/hosts
bia run -- python3 - <<'PY'
import socket
a = socket.gethostbyname("v6only.test")
print("pool", socket.getnameinfo((a, 80), socket.NI_NOFQDN)[0])
print("libc", socket.getnameinfo(("192.0.2.55", 80), socket.NI_NOFQDN)[0])
print("full", socket.getnameinfo((a, 80), 0)[0])
PY
echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('libc box');
    expect(r.stdout).toContain('pool v6only\n');
    expect(r.stdout).toContain('full v6only.test');
  });

  describe('a program doing its own DNS lookups with res_query / res_search', () => {
    let demo = '';
    beforeAll(() => {
      demo = join(mkdtempSync(join(tmpdir(), 'bia-resq-')), 'res_query_demo');
      execFileSync('cc', ['-Wall', '-Werror', join(packageRoot, 'test/c/res_query_demo.c'), '-lresolv', '-o', demo]);
    });

    it('finds an MX whose exchange is IPv6-only, gets a reachable A answer, and connects', async () => {
      const r = await lab(`peer_serve_tcp 2525
echo "BEGIN plain"; ${demo} mail.test 2525; echo "RESULT plain $?"; echo "END plain"
echo "BEGIN bia"; bia run -- ${demo} mail.test 2525; echo "RESULT bia $?"; echo "END bia"
echo "BEGIN search"; bia run -- ${demo} -a v6only; echo "END search"
echo "BEGIN errors"; bia run -- ${demo} -a nowhere.test; bia run -- ${demo} -a mail.test; ${demo} -a nowhere.test; ${demo} -a mail.test; echo "END errors"
echo "BEGIN other"; bia run -- ${demo} -a dual.test; echo "END other"`);
      expect(r.rc('plain')).not.toBe(0);
      // libc: the exchange has no A record (h_errno NO_DATA = 4).
      expect(section(r.stdout, 'plain')).toContain('mx v6only.test\nherror 4');
      expect(r.rc('bia'), r.stderr).toBe(0);
      const out = section(r.stdout, 'bia');
      expect(out).toContain('mx v6only.test');
      expect(out).toMatch(new RegExp(`^a ${POOL} ttl>0 1$`, 'm'));
      expect(out).toContain('hello from the IPv6-only peer');
      expect(section(r.stdout, 'search')).toMatch(new RegExp(`^a ${POOL} ttl>0 1$`, 'm'));
      // NXDOMAIN and NODATA give the h_errno libc gives (1 HOST_NOT_FOUND, 4 NO_DATA).
      expect(section(r.stdout, 'errors').trim().split('\n')).toEqual(['herror 1', 'herror 4', 'herror 1', 'herror 4']);
      expect(section(r.stdout, 'other')).toMatch(/^a 192\.0\.2\.10 /m);
    });
  });
});
