// Putting recovered state back (docs/mapping-lifecycle.md, Recovery): the
// records statestore.ts read, into the mapper, the synthesizer and the
// use counts, with an embargo on the pool when some state was lost.
import { Kind } from '../wire/messages.js';
import type { Logger } from '../log.js';
import type { AddressMapper } from './mapper.js';
import type { RecoveredState } from './statestore.js';
import type { Synthesizer } from './synth.js';
import type { UseRecord } from './usage.js';

/** The uses among recovered records, in file order, for UsageTracker.restore. */
export function savedUses(state: RecoveredState): UseRecord[] {
  return state.records.flatMap((r) => (r.t === 'uses' ? [{ pid: r.pid, start: r.start, v4: r.v4, n: r.n }] : []));
}

/**
 * Loads recovered records into the mapper. After a loss, any pool address
 * may still be cached by a program, so none is handed out for a quarantine.
 */
export function applyState(mapper: AddressMapper, state: RecoveredState, quarantineMs: number, now: number, log: Logger, synth?: Synthesizer): void {
  const quarantined: { v4: string; until: number }[] = [];
  let foreign = 0;
  let synthDropped = 0;
  for (const record of state.records) {
    if (record.t === 'entry') {
      // Made from another pool (the pool setting changed): programs only
      // treat the current pool's addresses as pool addresses.
      if (record.kind === Kind.Pool && !mapper.pool.contains(record.v4)) foreign++;
      else mapper.restore(record);
    } else if (record.t === 'quarantine') quarantined.push(record);
    else if (record.t === 'embargo') mapper.pool.embargo(record.until);
    else if (record.t === 'uses') continue; // usage.ts takes them back (savedUses)
    else if (!synth?.restore(record.v4, record.v6)) synthDropped++;
  }
  if (synthDropped > 0) log.warn(`dropped ${synthDropped} saved synthesized address(es) that do not fit the pool format and prefix in use`);
  if (foreign > 0) log.warn(`dropped ${foreign} saved mapping(s) outside the pool ${mapper.pool.network}/${mapper.pool.prefixLength}: the pool setting changed`);
  // An address the journal shows handed out again after the snapshot is
  // mapped, not waiting.
  for (const { v4, until } of quarantined) if (!mapper.has(v4)) mapper.pool.quarantine(v4, until);
  if (state.lost) mapper.pool.embargo(now + quarantineMs);
}
