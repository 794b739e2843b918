// `bia install --system` / `bia uninstall --system`, checked by the files
// they leave in a temporary --unit-dir (systemd does not run here;
// test/e2e/shared-helper.test.ts runs the helper the way the service does).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const main = join(packageRoot, 'dist', 'cli', 'main.js');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function bia(...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, XDG_CONFIG_HOME: '/nonexistent' }, encoding: 'utf8' });
}

function unitDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bia-sysunit-'));
  dirs.push(dir);
  return dir;
}

describe('bia install --system / uninstall --system', () => {
  it('writes a root socket open to all and a service run as a dynamic user with whom it serves, and removes them', () => {
    const dir = unitDir();
    const r = bia('install', '--system', '--unit-dir', dir, '--allow-users', '0,65534', '--allow-group', '0', '--pool-scope', 'user');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('systemctl enable --now bia-helper.socket');
    const service = readFileSync(join(dir, 'bia-helper.service'), 'utf8');
    expect(service).toContain('ExecStart="/usr/bin/env" "bia" "helper" "--system" "--allow-users" "0,65534" "--allow-group" "0" "--pool-scope" "user"\n');
    expect(service).toContain('DynamicUser=yes\nUser=bia\n');
    expect(service).toContain('StateDirectory=bia\n');
    expect(service).toMatch(/^Environment="PATH=[^"]+" "NODE_OPTIONS=--max-semi-space-size=2" "BIA_INSIDE_HELPER=1"\n/m);
    const socket = readFileSync(join(dir, 'bia-helper.socket'), 'utf8');
    expect(socket).toContain('ListenStream=/run/bia/helper.sock\nSocketMode=0666\nDirectoryMode=0755\n');
    if (hasSystemdAnalyze) expect(spawnSync('systemd-analyze', ['verify', join(dir, 'bia-helper.socket'), join(dir, 'bia-helper.service')], { encoding: 'utf8' }).stderr).toBe('');

    mkdirSync(join(dir, 'sockets.target.wants'));
    symlinkSync(join(dir, 'bia-helper.socket'), join(dir, 'sockets.target.wants', 'bia-helper.socket'));
    const removed = bia('uninstall', '--system', '--unit-dir', dir);
    expect(removed.status).toBe(0);
    for (const f of ['bia-helper.service', 'bia-helper.socket', 'sockets.target.wants/bia-helper.socket']) expect(existsSync(join(dir, f)), f).toBe(false);
  });

  it('puts another socket and a service user in the units, and takes root only with --allow-root', () => {
    const dir = unitDir();
    const r = bia('install', '--system', '--unit-dir', dir, '--allow-group', '0', '--service-user', 'biad', '--system-socket', '/run/biad/s.sock');
    expect(r.status, r.stderr).toBe(0);
    const service = readFileSync(join(dir, 'bia-helper.service'), 'utf8');
    expect(service).toContain('User=biad\n');
    expect(service).not.toContain('DynamicUser');
    expect(service).toContain('"--system-socket" "/run/biad/s.sock"');
    expect(readFileSync(join(dir, 'bia-helper.socket'), 'utf8')).toContain('ListenStream=/run/biad/s.sock\n');
    const asRoot = bia('install', '--system', '--unit-dir', dir, '--allow-group', '0', '--service-user', 'root');
    expect(asRoot.status).toBe(2);
    expect(asRoot.stderr).toContain('needs --allow-root');
    expect(bia('install', '--system', '--unit-dir', dir, '--allow-group', '0', '--service-user', 'root', '--allow-root').status).toBe(0);
    expect(readFileSync(join(dir, 'bia-helper.service'), 'utf8')).toContain('"BIA_INSIDE_HELPER=1" "BIA_ALLOW_ROOT=1"\n');
  });

  it('needs to be told whom to serve, and refuses names that do not exist', () => {
    const none = bia('install', '--system', '--unit-dir', unitDir());
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('needs --allow-users LIST or --allow-group GROUP');
    const typo = bia('install', '--system', '--unit-dir', unitDir(), '--allow-users', 'no-such-user-here');
    expect(typo.status).toBe(78);
    expect(typo.stderr).toContain('--allow-users no-such-user-here: no such user');
  });
});
