// helper.log is capped with one rotation (src/helper/log-cap.ts): past the
// cap its lines move to helper.log.1 and it starts again, for the rotation
// alone on a real O_APPEND descriptor, and for a helper bia env starts.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_CAP_BYTES, rotateIfOver } from '../../src/helper/log-cap.js';
import { CLI_MAIN } from '../../src/preload-path.js';

const work = mkdtempSync(join(tmpdir(), 'bia-logcap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('helper.log is size-capped with one rotation', () => {
  it('moves the lines to .1 past the cap, replacing the one before, and the next line starts the file', () => {
    const log = join(work, 'helper.log');
    const fd = openSync(log, 'a');
    try {
      writeSync(fd, 'old\n'.repeat(100));
      expect(rotateIfOver(fd, log, 1000)).toBe(false);
      writeSync(fd, 'x'.repeat(1000));
      expect(rotateIfOver(fd, log, 1000)).toBe(true);
      expect(statSync(`${log}.1`).size).toBe(1400);
      writeSync(fd, 'next\n');
      expect(readFileSync(log, 'utf8')).toBe('next\n');
      writeSync(fd, 'y'.repeat(1000));
      expect(rotateIfOver(fd, log, 1000)).toBe(true);
      expect(readFileSync(`${log}.1`, 'utf8')).toBe(`next\n${'y'.repeat(1000)}`);
    } finally {
      closeSync(fd);
    }
  });

  it('a helper bia env starts caps the helper.log it writes to', () => {
    const env = { PATH: process.env.PATH, HOME: work, XDG_RUNTIME_DIR: join(work, 'run'), XDG_STATE_HOME: join(work, 'state'), XDG_CONFIG_HOME: join(work, 'config'), BIA_ALLOW_ROOT: '1', BIA_RESOLV_CONF: join(work, 'resolv.conf') };
    mkdirSync(join(work, 'run'), { mode: 0o700 });
    mkdirSync(join(work, 'state', 'bia'), { recursive: true });
    writeFileSync(join(work, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    const log = join(work, 'state', 'bia', 'helper.log');
    writeFileSync(log, 'an old line\n'.repeat(LOG_CAP_BYTES / 12 + 1));
    try {
      const r = spawnSync(process.execPath, [CLI_MAIN, 'env', '-q'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      // -q: no echo of the helper it started (test/e2e/lifecycle.test.ts sees it without).
      expect(r.stdout).not.toContain('echo');
      expect(statSync(`${log}.1`).size).toBeGreaterThan(LOG_CAP_BYTES);
      expect(statSync(log).size).toBeLessThan(LOG_CAP_BYTES);
      expect(readFileSync(log, 'utf8')).not.toContain('an old line');
    } finally {
      spawnSync(process.execPath, [CLI_MAIN, 'stop'], { env, timeout: 30_000 });
    }
  });
});
