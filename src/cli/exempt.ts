// The helper must never run through its own preload: the library would ask
// the helper about the helper's own connects and wait for an answer that
// cannot come. bia run starts it exempt, but where the library is loaded into
// every process (/etc/ld.so.preload or an exported LD_PRELOAD, as in CI
// containers) `bia helper` may already carry it. Then it starts itself again
// with BIA_INSIDE_HELPER=1, which the library reads at load time and which
// makes it pass every call straight to libc.
import { readFileSync } from 'node:fs';
import { runChild } from './child.js';
import { VARIABLES } from '../config/variables.js';

/** Whether the preload library is loaded into this process and not told to stay inert. */
export function needsExemption(): boolean {
  if (process.env[VARIABLES.insideHelper] === '1') return false;
  return readFileSync('/proc/self/maps', 'utf8').includes('/libbia.so');
}

/** Runs this same bia command again, exempt from the preload; resolves with its status. */
export function rerunExempt(): Promise<number> {
  return runChild([process.execPath, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, [VARIABLES.insideHelper]: '1' });
}
