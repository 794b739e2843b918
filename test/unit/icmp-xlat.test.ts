// The ICMP echo translation of the preload (preload/core/v4prog/icmpxlat.c)
// alone, in C against hand-made packets (test/c/icmp_xlat.c): types, codes,
// identifier, sequence, payload, checksums, the IPv4 headers it makes up.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('ICMP echo translation (RFC 7915)', () => {
  it('passes every case of test/c/icmp_xlat.c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bia-icmp-'));
    try {
      const driver = join(dir, 'icmp_xlat');
      execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', '-I', join(root, 'preload/core'), join(root, 'preload/core/v4prog/icmpxlat.c'), join(root, 'test/c/icmp_xlat.c'), '-o', driver]);
      const out = execFileSync(driver).toString();
      expect(out.split('\n').filter((l) => l.startsWith('FAIL')), out).toEqual([]);
      expect(out).toMatch(/^\d+ passed, 0 failed$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
