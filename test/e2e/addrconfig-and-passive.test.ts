// End to end: AI_ADDRCONFIG and AI_PASSIVE lookups on a host that lacks one
// IP version. libc's AI_ADDRCONFIG removes the version the host has no
// address of, but under bia the host serves it: an IPv4 server binds
// 0.0.0.0 on an IPv6-only host (bia makes it a dual-stack [::]) and an IPv6
// one [::] on an IPv4-only host. in.tftpd (tftpd-hpa) looks its -a address
// up with AI_ADDRCONFIG and exits without it; test/c/gai_flags.c makes the
// calls one by one (AI_PASSIVE, NULL hints, literals, names) with and without bia.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const root = new URL('../..', import.meta.url).pathname;
// in.tftpd's child drops its groups (setgroups) for each transfer, which a
// user namespace made without root refuses (the lab's, for other users):
// there the server is only seen to start; CI runs as root and transfers.
const ROOT = process.getuid?.() === 0;
const transfer = ROOT ? 'serves' : 'starts for (not root: no transfer, tftpd needs setgroups)';

// TFTP SERVER-FLAG ADDRESS CLIENT-FLAG HOST: in.tftpd in the foreground
// (-L) as root (-u root: no switch to nobody), and the peer fetching a file
// from it with tftp-hpa. Without bia the server exits at once.
const tftp = (serverFlag: string, address: string, clientFlag: string, host: string): string =>
  `mkdir -p "$LAB_DIR/tftp" && echo "hello over tftp" >"$LAB_DIR/tftp/f.txt"
in.tftpd ${serverFlag} -L -u root -a '${address}' -s "$LAB_DIR/tftp" & plain=$!
sleep 0.5; kill -0 $plain 2>/dev/null; echo "RESULT plain_tftpd $?"; kill $plain 2>/dev/null || true
bia run -- in.tftpd ${serverFlag} -L -u root -a '${address}' -s "$LAB_DIR/tftp" 2>"$LAB_DIR/tftpd.log" &
lab_wait "in.tftpd under bia" sh -c "ss -Huln 'sport = :69' | grep -q ."
ss -Huln 'sport = :69' | sed 's/^/listening /'
if [ "${ROOT ? 1 : 0}" = 1 ]; then
  (cd "$LAB_DIR" && peer tftp ${clientFlag} ${host} -c get f.txt got.txt); echo "RESULT tftp $?"
  sed 's/^/got /' "$LAB_DIR/got.txt"
fi`;

describe('AI_ADDRCONFIG does not hide what bia serves', skipWhen(labMissing), () => {
  let dir = '';
  let gai = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bia-gai-'));
    gai = join(dir, 'gai_flags');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', join(root, 'test/c/gai_flags.c'), '-o', gai]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // "plain"/"bia" LABEL, then the program's answer, for each call.
  const calls = (cases: string[]): string =>
    ['', 'bia run -- '].map((pre) => cases.map((c) => `echo "${pre ? 'bia' : 'plain'} [${c}] $(${pre}${gai} ${c})"`).join('\n')).join('\n');

  it(`an IPv6-only host: in.tftpd -4 -a 0.0.0.0:69 ${transfer} an IPv6 client; AF_INET lookups with AI_ADDRCONFIG answer`, async () => {
    const r = await lab(
      `${tftp('-4', '0.0.0.0:69', '-6', '2001:db8:1::1')}
${calls(['4 pa 0.0.0.0', '4 pa null', '4 an 192.0.2.20', 'null - 192.0.2.20', 'any a v4only.test', 'any pa null'])}`,
    );
    expect(r.rc('plain_tftpd')).not.toBe(0);
    expect(r.stdout).toMatch(/^listening UNCONN .* \*:69 /m);
    if (ROOT) {
      expect(r.rc('tftp'), r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('got hello over tftp');
    }
    // The controls: what libc answers without bia.
    expect(r.stdout).toContain('plain [4 pa 0.0.0.0] error Name or service not known');
    expect(r.stdout).toContain('plain [4 pa null] error Name or service not known');
    expect(r.stdout).toContain('plain [null - 192.0.2.20] ok ::ffff:192.0.2.20');
    expect(r.stdout).toContain('plain [any a v4only.test] error No address associated with hostname');
    expect(r.stdout).toContain('bia [4 pa 0.0.0.0] ok 0.0.0.0\n');
    expect(r.stdout).toContain('bia [4 pa null] ok 0.0.0.0\n');
    expect(r.stdout).toContain('bia [4 an 192.0.2.20] ok 192.0.2.20\n');
    // NULL hints (AI_V4MAPPED|AI_ADDRCONFIG): the IPv4 address as such, not v4-mapped.
    expect(r.stdout).toContain('bia [null - 192.0.2.20] ok 192.0.2.20\n');
    expect(r.stdout).toContain('bia [any a v4only.test] ok 192.0.2.20\n');
    // AF_UNSPEC wildcard: the host's own version is enough, as libc says.
    expect(r.stdout).toContain('bia [any pa null] ok ::\n');
  });

  it(`an IPv4-only host: in.tftpd -6 -a [::]:69 ${transfer} an IPv4 client; AF_INET6 lookups with AI_ADDRCONFIG answer`, async () => {
    const r = await lab(
      `${tftp('-6', '[::]:69', '-4', '198.51.100.1')}
${calls(['6 pa ::', '6 pa null', 'null - 2001:db8:9::2', 'any pa null'])}`,
      { family: 4 },
    );
    expect(r.rc('plain_tftpd')).not.toBe(0);
    expect(r.stdout).toMatch(/^listening UNCONN .* \*:69 /m);
    if (ROOT) {
      expect(r.rc('tftp'), r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('got hello over tftp');
    }
    expect(r.stdout).toContain('plain [6 pa ::] error Name or service not known');
    expect(r.stdout).toContain('plain [6 pa null] error Name or service not known');
    expect(r.stdout).toContain('plain [null - 2001:db8:9::2] error Address family for hostname not supported');
    expect(r.stdout).toContain('bia [6 pa ::] ok ::\n');
    expect(r.stdout).toContain('bia [6 pa null] ok ::\n');
    expect(r.stdout).toContain('bia [null - 2001:db8:9::2] ok 2001:db8:9::2\n');
    expect(r.stdout).toContain('bia [any pa null] ok 0.0.0.0\n');
  });
});
