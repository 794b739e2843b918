// The small things users expect of a command line (issue 18): one `bia: `
// before an error, never two; bia doctor for several programs, as JSON,
// and with the network it sees when no helper runs to ask; a man page and
// bash, zsh and fish completion generated from the command table and the
// settings schema, offering exactly what the commands take.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { CLI_MAIN } from '../../src/preload-path.js';
import { COMMANDS, optionSpec, type CommandName } from '../../src/cli/commands.js';
import { KEYS, KEY_NAMES } from '../../src/config/schema.js';
import { helpSections } from '../../src/cli/help-sections.js';
import { skipWhen, toolMissing } from '../support/skip.js';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const work = mkdtempSync(join(tmpdir(), 'bia-conventions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = { PATH: process.env.PATH, HOME: work, XDG_RUNTIME_DIR: join(work, 'run'), XDG_STATE_HOME: join(work, 'state'), XDG_CONFIG_HOME: join(work, 'config') };

function bia(...args: string[]) {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
}

describe('bia command-line conventions', () => {
  it('says bia: once before an error', () => {
    const usage = [['run'], ['stop', 'x'], ['status', 'x'], ['env', 'x'], ['install', 'x'], ['install', '--user', 'x'], ['uninstall', 'x'], ['helper', 'x'], ['demo', 'x'], ['install', '--system']];
    for (const args of usage) {
      const r = bia(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^bia: (?!bia )/);
    }
  });

  it('doctor checks several programs, reports the network with no helper running, and answers in JSON', () => {
    const r = bia('doctor', 'true', 'no-such-program', 'sh');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ok +helper: not running/m);
    expect(r.stdout).toMatch(/^(ok|note|PROBLEM) +network \(seen by bia doctor, as no helper runs\): /m);
    expect(r.stdout).toMatch(/^ok +\S+\/true: dynamically linked/m);
    expect(r.stdout).toMatch(/^PROBLEM no-such-program: not found/m);
    expect(r.stdout).toMatch(/^ok +\S+\/sh: dynamically linked/m);
    const json = JSON.parse(bia('doctor', '--json', 'true', 'no-such-program').stdout);
    expect(json.problems).toBe(true);
    expect(json.findings.map((f: { what: string }) => f.what)).toContainEqual(expect.stringMatching(/^network \(seen by bia doctor/));
    expect(json.programs.map((p: { program: string; findings: { level: string }[] }) => [p.program, p.findings.at(-1)!.level])).toEqual([
      ['true', 'ok'],
      ['no-such-program', 'problem'],
    ]);
  });

  describe('man page and completions, generated at build time', () => {
    const out = mkdtempSync(join(work, 'gen-'));
    for (const script of ['gen-man.mjs', 'gen-completions.mjs']) {
      const r = spawnSync(process.execPath, [join(packageRoot, 'scripts', script), out], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
    }

    it('bia.1 renders without a warning and has every command and every setting', skipWhen(toolMissing(has('groff'), 'groff is not installed (groff-base)')), () => {
      const page = join(out, 'man', 'bia.1');
      const render = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-rLL=200n', page], { encoding: 'utf8' });
      expect(render.stderr).toBe('');
      const text = render.stdout.replace(/.\x08/g, '');
      for (const u of helpSections().usage) expect(text).toContain(u.usage);
      for (const key of KEY_NAMES) {
        expect(text).toContain(KEYS[key].flag);
        expect(text).toContain(`$${KEYS[key].env}`);
      }
      expect(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).man).toBe('./man/bia.1');
    });

    it('bash completes commands, each command\'s options from the table, and setting values from the schema', () => {
      const complete = (...words: string[]): string[] => {
        const script = `source ${JSON.stringify(join(out, 'completions', 'bia.bash'))}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _bia; printf '%s\\n' "\${COMPREPLY[@]}"`;
        return spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      };
      expect(complete('bia', '')).toEqual(expect.arrayContaining(['run', 'env', 'status', 'doctor', 'stop', 'helper', 'demo', 'install', 'uninstall']));
      for (const name of Object.keys(COMMANDS) as CommandName[]) {
        const spec = optionSpec(name);
        expect(complete('bia', name.split(' ')[0], '-').sort(), name).toEqual(expect.arrayContaining([...spec.values, ...spec.flags].sort()));
      }
      expect(complete('bia', 'status', '-')).not.toContain('--trace');
      expect(complete('bia', 'run', '--network', '')).toEqual(['auto', 'dual', 'ipv6-only', 'ipv4-only']);
      expect(complete('bia', 'env', '--shell', '')).toEqual(['sh', 'csh', 'fish']);
      expect(complete('bia', 'run', '--trace', '--', 'bas')).toContain('bash');
    });

    it('fish completes the same', skipWhen(toolMissing(has('fish'), 'fish is not installed')), () => {
      const complete = (line: string): string[] =>
        spawnSync('fish', ['--no-config', '-c', `source ${join(out, 'completions', 'bia.fish')}; complete -C '${line}'`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
      expect(complete('bia ')).toEqual(expect.arrayContaining(['run', 'env', 'doctor', 'uninstall']));
      expect(complete('bia env --shell ')).toEqual(['csh', 'fish', 'sh']);
      expect(complete('bia doctor --')).toEqual(expect.arrayContaining(['--json', '--network', '--pool']));
      expect(complete('bia stop --')).toEqual(['--socket']);
    });

    it('zsh reads its completion function', skipWhen(toolMissing(has('zsh'), 'zsh is not installed')), () => {
      const r = spawnSync('zsh', ['-n', join(out, 'completions', '_bia')], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(out, 'completions', '_bia'), 'utf8')).toContain("'--shell=[");
    });
  });
});
