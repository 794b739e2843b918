// `bia install --user` / `bia uninstall --user`, checked by the files they
// leave under a temporary XDG_CONFIG_HOME or HOME. systemd does not run here,
// so nothing is started (test/e2e/socket-activation.test.ts passes the helper
// a socket the way systemd would); systemd-analyze, when installed, checks
// the units.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { serviceText, socketText } from '../../src/cli/user-unit.js';
import { skipWhen } from '../support/skip.js';

const main = join(packageRoot, 'dist', 'cli', 'main.js');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

const asRoot = process.geteuid?.() === 0;
const rootOptIn = asRoot ? ' "BIA_ALLOW_ROOT=1"' : '';

// As root (CI), with the explicit opt-in the install needs there.
function bia(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, ...(asRoot ? { BIA_ALLOW_ROOT: '1' } : {}), ...env }, encoding: 'utf8' });
}

describe('bia install --user / uninstall --user', () => {
  it('writes the socket and service units under $XDG_CONFIG_HOME, says how to enable them, and removes them with their enable links', () => {
    const config = mkdtempSync(join(tmpdir(), 'bia-unit-'));
    const dir = join(config, 'systemd', 'user');
    const [service, socket] = [join(dir, 'bia-helper.service'), join(dir, 'bia-helper.socket')];
    const installed = bia({ XDG_CONFIG_HOME: config, HOME: '/nonexistent' }, 'install', '--user');
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain('systemctl --user enable --now bia-helper.socket');
    const serviceUnit = readFileSync(service, 'utf8');
    // No bia on this PATH: the checkout's bin/ is the unit's first PATH entry, and says so.
    expect(installed.stdout).toContain(`bia is not on your PATH: the units run ${packageRoot}/bin/bia`);
    expect(serviceUnit).toContain('ExecStart="/usr/bin/env" "bia" "helper"\n');
    expect(serviceUnit).toContain(`Environment="PATH=${packageRoot}/bin:${dirname(process.execPath)}:`);
    expect(serviceUnit).toContain(`"NODE_OPTIONS=--max-semi-space-size=2" "BIA_INSIDE_HELPER=1"${rootOptIn}\n`);
    expect(serviceUnit).toContain('Requires=bia-helper.socket');
    const socketUnit = readFileSync(socket, 'utf8');
    expect(socketUnit).toContain('ListenStream=%t/bia/helper.sock\n');
    expect(socketUnit).toContain('SocketMode=0600');
    expect(socketUnit).toContain('WantedBy=sockets.target');
    if (hasSystemdAnalyze) expect(spawnSync('systemd-analyze', ['verify', socket, service], { encoding: 'utf8' }).stderr).toBe('');

    // As `systemctl --user enable` leaves them (and an older bia's enabled service).
    for (const [target, unit] of [['sockets.target.wants', socket], ['default.target.wants', service]] as const) {
      mkdirSync(join(dir, target));
      symlinkSync(unit, join(dir, target, unit.slice(dir.length + 1)));
    }
    const removed = bia({ XDG_CONFIG_HOME: config, XDG_RUNTIME_DIR: config, XDG_STATE_HOME: config }, 'uninstall', '--user');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain('systemctl --user stop bia-helper.socket bia-helper.service');
    for (const f of [service, socket, join(dir, 'sockets.target.wants', 'bia-helper.socket'), join(dir, 'default.target.wants', 'bia-helper.service')]) {
      expect(lstatSync(f, { throwIfNoEntry: false }), f).toBeUndefined();
    }

    const again = bia({ XDG_CONFIG_HOME: config, XDG_RUNTIME_DIR: config, XDG_STATE_HOME: config }, 'uninstall', '--user');
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('nothing to remove');
  });

  it('puts a socket set in the config file or BIA_SOCKET in both units', () => {
    const config = mkdtempSync(join(tmpdir(), 'bia-unit-'));
    expect(bia({ XDG_CONFIG_HOME: config, BIA_SOCKET: '/srv/100%/bia.sock' }, 'install', '--user').status).toBe(0);
    const dir = join(config, 'systemd', 'user');
    expect(readFileSync(join(dir, 'bia-helper.socket'), 'utf8')).toContain('ListenStream=/srv/100%%/bia.sock\n');
    expect(readFileSync(join(dir, 'bia-helper.service'), 'utf8')).toContain(`"BIA_INSIDE_HELPER=1" "BIA_SOCKET=/srv/100%%/bia.sock"${rootOptIn}\n`);
  });

  it('uses ~/.config without XDG_CONFIG_HOME', () => {
    const home = mkdtempSync(join(tmpdir(), 'bia-home-'));
    expect(bia({ HOME: home }, 'install', '--user').status).toBe(0);
    expect(existsSync(join(home, '.config', 'systemd', 'user', 'bia-helper.service'))).toBe(true);
    expect(existsSync(join(home, '.config', 'systemd', 'user', 'bia-helper.socket'))).toBe(true);
  });

  it('needs --user and takes no arguments: usage error 2', () => {
    const home = mkdtempSync(join(tmpdir(), 'bia-home-'));
    expect(bia({ HOME: home }, 'install').stderr).toContain('needs --user');
    expect(bia({ HOME: home }, 'install').status).toBe(2);
    expect(bia({ HOME: home, XDG_RUNTIME_DIR: home }, 'uninstall', '--user', 'extra').status).toBe(2);
    expect(bia({ HOME: home }, 'install', '--system').status).toBe(2);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('quotes Environment= so that spaces, quotes and % in paths are taken literally', () => {
    const command = { path: '/opt/my "bia"/100%/bin:/usr/bin', biaDir: '/opt', linked: true, nodeOptions: '--max-semi-space-size=2' };
    expect(serviceText(command)).toContain('Environment="PATH=/opt/my \\"bia\\"/100%%/bin:/usr/bin"');
    expect(serviceText(command, '/run/$x "y"')).toContain('"BIA_INSIDE_HELPER=1" "BIA_SOCKET=/run/$x \\"y\\""');
    expect(socketText('/run/a%b')).toContain('ListenStream=/run/a%%b\n');
  });

  it('is in bia --help with an example', () => {
    const help = bia({}, '--help').stdout;
    // A usage line and an example each.
    for (const command of ['install --user', 'uninstall( \\[--user\\])? ']) expect(help.match(new RegExp(`^  bia ${command}( |$)`, 'gm'))?.length, command).toBe(2);
  });

  it('as root, refuses without the opt-in and carries it into the unit with it', skipWhen(!asRoot && 'needs root'), () => {
    const config = mkdtempSync(join(tmpdir(), 'bia-unit-'));
    const refused = bia({ XDG_CONFIG_HOME: config, BIA_ALLOW_ROOT: '' }, 'install', '--user');
    expect(refused.status).toBe(78);
    expect(refused.stderr).toContain('--allow-root');
    expect(bia({ XDG_CONFIG_HOME: config, BIA_ALLOW_ROOT: '' }, 'install', '--user', '--allow-root').status).toBe(0);
    expect(readFileSync(join(config, 'systemd', 'user', 'bia-helper.service'), 'utf8')).toMatch(/^Environment=.*BIA_ALLOW_ROOT=1/m);
  });
});
