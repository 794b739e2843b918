// Skipping tests whose tool or privilege this machine lacks, with the reason
// carried to the end of the run (summary-reporter.ts prints it), so that a
// green run that tested less says so:
//   describe('with a real DNS server', skipWhen(dnsmasqMissing), () => { ... })
// where dnsmasqMissing is undefined when the test can run, else why not.
import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    skipReason?: string;
  }
}

/** Options for describe/it: skipped, with REASON, when REASON is set. */
export function skipWhen(...reasons: (string | undefined | false)[]): TestOptions {
  const reason = reasons.find((r): r is string => typeof r === 'string' && r !== '');
  return reason ? { skip: true, meta: { skipReason: reason } } : {};
}

/**
 * Why TOOL is missing (for skipWhen), or undefined when present; CI installs
 * every tool (.ci/run, from the README's line), so there a missing one fails.
 */
export function toolMissing(found: boolean, what: string): string | undefined {
  if (found) return undefined;
  if (process.env.CI) throw new Error(`CI must run every test, but ${what}`);
  return what;
}

/**
 * CI's second pass runs the suite as an ordinary user (.ci/run sets
 * BIA_CI_USER): there a test that needs root skips with its reason, as on a
 * developer's machine, because CI's root pass has just run it.
 */
export const ciUserPass = !!process.env.BIA_CI_USER && process.getuid?.() !== 0;
