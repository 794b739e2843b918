// `bia install --user` / `bia uninstall --user`, checked by the files they
// leave under a temporary XDG_CONFIG_HOME or HOME. systemd does not run here,
// so nothing is started; systemd-analyze, when installed, checks the unit.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/lab/lab.js';
import { unitText } from '../../src/cli/user-unit.js';

const main = join(packageRoot, 'dist', 'cli', 'main.js');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function bia(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
}

describe('bia install --user / uninstall --user', () => {
  it('writes the unit under $XDG_CONFIG_HOME, says how to enable it, and removes it with its enable link', () => {
    const config = mkdtempSync(join(tmpdir(), 'bia-unit-'));
    const unit = join(config, 'systemd', 'user', 'bia-helper.service');
    const installed = bia({ XDG_CONFIG_HOME: config, HOME: '/nonexistent' }, 'install', '--user');
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain('systemctl --user enable --now bia-helper');
    expect(readFileSync(unit, 'utf8')).toContain(`ExecStart="${process.execPath}" "${main}" "helper"`);
    if (hasSystemdAnalyze) expect(spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' }).stderr).toBe('');

    // As `systemctl --user enable` leaves it.
    mkdirSync(join(config, 'systemd', 'user', 'default.target.wants'));
    symlinkSync(unit, join(config, 'systemd', 'user', 'default.target.wants', 'bia-helper.service'));
    const removed = bia({ XDG_CONFIG_HOME: config }, 'uninstall', '--user');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain('systemctl --user stop bia-helper');
    expect(existsSync(unit)).toBe(false);
    expect(lstatSync(join(config, 'systemd', 'user', 'default.target.wants', 'bia-helper.service'), { throwIfNoEntry: false })).toBeUndefined();

    const again = bia({ XDG_CONFIG_HOME: config }, 'uninstall', '--user');
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('nothing to remove');
  });

  it('uses ~/.config without XDG_CONFIG_HOME', () => {
    const home = mkdtempSync(join(tmpdir(), 'bia-home-'));
    expect(bia({ HOME: home }, 'install', '--user').status).toBe(0);
    expect(existsSync(join(home, '.config', 'systemd', 'user', 'bia-helper.service'))).toBe(true);
  });

  it('needs --user and takes no arguments: usage error 2', () => {
    const home = mkdtempSync(join(tmpdir(), 'bia-home-'));
    expect(bia({ HOME: home }, 'install').stderr).toContain('needs --user');
    expect(bia({ HOME: home }, 'install').status).toBe(2);
    expect(bia({ HOME: home }, 'uninstall', '--user', 'extra').status).toBe(2);
    expect(bia({ HOME: home }, 'install', '--system').status).toBe(2);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('quotes ExecStart so that spaces, quotes, % and $ in paths are taken literally', () => {
    expect(unitText('/usr/bin/node', '/opt/my "bia"/100%/$HOME\\main.js')).toContain(
      'ExecStart="/usr/bin/node" "/opt/my \\"bia\\"/100%%/$$HOME\\\\main.js" "helper"',
    );
  });

  it('is in bia --help with an example', () => {
    const help = bia({}, '--help').stdout;
    // A usage line and an example each.
    for (const command of ['install', 'uninstall']) expect(help.match(new RegExp(`^  bia ${command} --user`, 'gm'))?.length).toBe(2);
  });
});
