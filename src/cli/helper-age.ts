// Whether the running helper runs the bia installed now. An upgrade
// replaces the package's files while a helper goes on running the code it
// started with, so bia status and bia doctor compare, from /proc, the
// helper's start with the time the installed files were written (their
// ctime, which no archive or copy preserves), and the package it runs
// from with this one. No protocol change is needed, and a rebuilt
// checkout counts as an upgrade too.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { CLI_MAIN } from '../preload-path.js';

/** Linux's USER_HZ: /proc/PID/stat counts start times in these ticks. */
const TICKS_PER_S = 100;
/** Files written this close to the helper's start count as the ones it runs. */
const SLACK_MS = 1000;

export interface Staleness {
  /** What is wrong, for one line of bia status or doctor. */
  what: string;
  /** How to restart it. */
  fix: string;
}

/** Which package PID runs: its script's, from /proc/PID/cmdline (dist/cli/main.js, or bin/bia through npm's link). */
function runningPackage(pid: number): string | undefined {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1);
  const script = args.find((a) => a.startsWith('/'));
  if (!script) return undefined;
  const real = realpathSync(script);
  if (real.endsWith('/dist/cli/main.js')) return dirname(dirname(dirname(real)));
  if (real.endsWith('/bin/bia')) return dirname(dirname(real));
  return undefined;
}

/** When PID started, in ms since the epoch, from its start in ticks after boot. */
function startedAt(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptimeS * 1000 + (ticks / TICKS_PER_S) * 1000;
}

function version(root: string): string {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
}

function restartHint(shared: boolean, activated: boolean): string {
  if (shared) return "ask its admin to restart it (systemctl restart bia-helper.service)";
  if (activated) return 'systemctl --user restart bia-helper.service';
  return 'bia stop (the next bia run or bia env starts the installed bia)';
}

/** Why the helper PID is not the installed bia's, or undefined when it is (or /proc does not say). */
export function helperStaleness(pid: number, shared: boolean, activated: boolean): Staleness | undefined {
  let root: string | undefined, started: number;
  try {
    root = runningPackage(pid);
    started = startedAt(pid);
  } catch {
    return undefined; // gone meanwhile, or its /proc hidden from us
  }
  const fix = restartHint(shared, activated);
  const ours = realpathSync(packageRoot);
  if (root === undefined) return undefined;
  if (root !== ours) return { what: `the helper (pid ${pid}) runs the bia in ${root}, not this one (${ours}, version ${version(ours)})`, fix };
  const written = Math.max(...[CLI_MAIN, join(ours, 'package.json')].map((f) => statSync(f).ctimeMs));
  if (written <= started + SLACK_MS) return undefined;
  return { what: `the helper (pid ${pid}) is older than the installed bia ${version(ours)} (written ${new Date(written).toISOString()}, after the helper started)`, fix };
}
