// End to end: a name that does not exist is remembered by the helper for
// min(TTL, MINIMUM) of the SOA in the negative answer (RFC 2308 section 5),
// not for MINIMUM alone. The lab's resolver is a caching dnsmasq in front
// of an authoritative one (lab_dns_cache): its cached NXDOMAIN carries the
// SOA with TTL counted down from 16 s while MINIMUM stays 16, so the
// helper's cache must end when the resolver's does, 16 s after the name
// was first asked, whenever the helper itself asked. Queries reaching the
// resolver are counted in its query log.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

describe('negative answers through bia run', skipWhen(labMissing), () => {
  it('are cached for the SOA record TTL left when it is below MINIMUM', async () => {
    const r = await lab(String.raw`lab_dns_cache neg.test 16
start=$(date +%s%N)
at() { while [ $(( ($(date +%s%N) - start) / 1000000 )) -lt "$1" ]; do sleep 0.05; done; }
asked() { sleep 0.3; grep -c 'query\[A\] nope\.neg\.test from' "$LAB_DIR/cache.log"; }
# Someone else on the network asked first: the resolver now holds the NXDOMAIN.
getent ahosts nope.neg.test.; echo "RESULT prime $?"
at 7000
n0=$(asked)
bia run -- getent ahostsv4 nope.neg.test.; echo "RESULT first $?"
n1=$(asked)
at 12000
bia run -- getent ahostsv4 nope.neg.test.; echo "RESULT cached $?"
n2=$(asked)
at 19500
bia run -- getent ahostsv4 nope.neg.test.; echo "RESULT again $?"
n3=$(asked)
echo "ASKED $n0 $n1 $n2 $n3"
cat "$LAB_DIR/cache.log" >&2`, { timeoutMs: 90_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    // getent: 2 is "not found"; the program got EAI_NONAME each time.
    for (const step of ['prime', 'first', 'cached', 'again']) expect(r.rc(step), `${step}\n${out}`).toBe(2);
    const [n0, n1, n2, n3] = r.stdout.match(/^ASKED (\d+) (\d+) (\d+) (\d+)$/m)!.slice(1).map(Number);
    // The first lookup reached the resolver (c-ares's A, then the SOA query's A).
    expect(n1 - n0, out).toBe(2);
    // 12 s after the prime: within the TTL the resolver had left (~9 s at 7 s), answered from the helper's cache.
    expect(n2, out).toBe(n1);
    // 19.5 s: past that TTL (16 s after the prime), though within MINIMUM
    // (16 s) of the helper's own ask: asked again. (With MINIMUM alone it was not.)
    expect(n3, out).toBeGreaterThan(n2);
  });
});
