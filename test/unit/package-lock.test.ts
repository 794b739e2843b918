// The tracked package-lock.json must be what npm would write for
// package.json, or every `npm install` rewrites it (package.json's bin once
// moved to bin/bia while the lock still named dist/cli/main.js, and npm ci,
// which never writes the lock, did not mind). npm recomputes the lock here
// in a copy, offline and with an empty cache: a lock that already fits
// needs nothing from a registry.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const work = mkdtempSync(join(tmpdir(), 'bia-lock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('package-lock.json', () => {
  it('is what npm install writes for package.json', () => {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(packageRoot, f), join(work, f));
    const args = ['install', '--package-lock-only', '--ignore-scripts', '--offline', '--cache', join(work, 'cache'), '--no-audit', '--no-fund'];
    const r = spawnSync('npm', args, { cwd: work, encoding: 'utf8', env: { ...process.env, npm_config_userconfig: join(work, 'npmrc') } });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(packageRoot, 'package-lock.json'), 'utf8'));
  });
});
