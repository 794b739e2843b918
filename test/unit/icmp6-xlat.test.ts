// The mirror ICMP echo translation of the preload (ping -6 to a synthesized
// address, preload/core/v6prog/icmp6xlat.c) alone, in C against hand-made
// packets (test/c/icmp6_xlat.c): types, codes, identifier, sequence,
// payload, both checksums, an error's inner header, IP_RECVERR, filters.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('ICMPv6 echo translation to ICMPv4 and back (RFC 7915)', () => {
  it('passes every case of test/c/icmp6_xlat.c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bia-icmp6-'));
    try {
      const driver = join(dir, 'icmp6_xlat');
      execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', '-I', join(root, 'preload/core'), join(root, 'preload/core/v4prog/icmpxlat.c'), join(root, 'preload/core/v6prog/icmp6xlat.c'), join(root, 'test/c/icmp6_xlat.c'), '-o', driver]);
      const out = execFileSync(driver).toString();
      expect(out.split('\n').filter((l) => l.startsWith('FAIL')), out).toEqual([]);
      expect(out).toMatch(/^\d+ passed, 0 failed$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
