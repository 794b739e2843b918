// The small things users expect of a command line (issue 18): one `bia: `
// before an error, never two; bia doctor for several programs, as JSON,
// and with the network it sees when no helper runs to ask.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN } from '../../src/preload-path.js';

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
});
