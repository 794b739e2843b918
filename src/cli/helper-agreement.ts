// A running helper's settings against the ones the user gave: bia run and
// bia env use whichever helper answers, so a setting the user gave that the
// helper does not have would be silently ignored (a program asking for
// --synth prefix would get the running helper's ::ffff: addresses). A
// setting given (flag, BIA_* variable, config file) must be the helper's; a
// setting left at its default follows the helper. The helper tells its
// pool and synthesis in HELLO; its command line the rest that it was given
// as flags (helper-command-line.ts). The network is not compared: a
// program may have its own (bia run --network ipv6-only, when detection
// guesses wrong), which the preload applies.
import { Address6 } from 'ip-address';
import { type Effective, type Source } from '../config/effective.js';
import { KEYS, type Key } from '../config/schema.js';
import { CliError, EXIT_CONFIG } from '../exit-codes.js';
import { v4Network } from '../wire/addresses.js';
import { SynthFormat, type HelloBody } from '../wire/messages.js';
import { COMMAND_LINE_KEYS, helperFlags } from './helper-command-line.js';
import { helperPeer } from './helper-peer.js';

/** A setting the user gave that the running helper does not have. */
export interface Disagreement {
  key: Key;
  source: Exclude<Source, 'default'>;
  /** The value the user gave, as given. */
  given: string;
  /** The helper's, in the same notation. */
  running: string;
}

/** The keys HELLO tells: bia env exports them. */
const HELLO_KEYS: readonly Key[] = ['pool', 'synth', 'synthPrefix', 'planeId'];

/** The text of the helper's value of each key HELLO tells, as a user would give it. */
function helperValues(hello: HelloBody): Partial<Record<Key, string>> {
  return {
    pool: `${hello.pool}/${hello.poolLen}`,
    synth: SynthFormat[hello.synth.format].toLowerCase(),
    synthPrefix: `${hello.synth.prefix}/${hello.synth.prefixLen}`,
    planeId: String(hello.synth.plane),
  };
}

/** One notation for equal values: 198.18.0.0/15 and 198.18.1.0/15, ::ffff:0:0/96 and 0::ffff:0.0.0.0/96. */
function canonical(key: Key, value: string): string {
  if (key === 'pool') {
    const net = v4Network(value);
    return net ? `${net.network}/${net.prefixLength}` : value;
  }
  if ((key === 'synthPrefix' || key === 'nat64') && value.includes('/') && Address6.isValid(value)) {
    const net = new Address6(value);
    return `${net.startAddress().correctForm()}/${net.subnetMask}`;
  }
  return value;
}

/** The first setting EFFECTIVE gives (not a default) that differs from the helper's (HELLO, and FLAGS from its command line); undefined when all agree. */
export function disagreement(effective: Pick<Effective, 'config' | 'sources'>, hello: HelloBody, flags: Partial<Record<Key, string>> = {}): Disagreement | undefined {
  const running = { ...helperValues(hello), ...flags };
  for (const [key, value] of Object.entries(running) as [Key, string][]) {
    const source = effective.sources[key];
    const given = effective.config[key];
    if (source === 'default' || given === undefined) continue;
    if (canonical(key, String(given)) !== canonical(key, value)) return { key, source, given: String(given), running: value };
  }
  return undefined;
}

// Only when one of those settings was given: bia run asks nothing more otherwise.
async function commandLineFlags(effective: Effective, socketPath: string): Promise<Partial<Record<Key, string>>> {
  if (COMMAND_LINE_KEYS.every((key) => effective.sources[key] === 'default')) return {};
  const peer = await helperPeer(socketPath).catch(() => undefined);
  return peer ? helperFlags(peer.pid) : {};
}

/** Where the user gave it, as they would write it. */
function given(d: Disagreement, file: string): string {
  if (d.source === 'flag') return `${KEYS[d.key].flag} ${d.given}`;
  if (d.source === 'env') return `${KEYS[d.key].env}=${d.given}`;
  return `"${d.key}": ${JSON.stringify(d.given)} in ${file}`;
}

// What following the helper takes. A variable bia env exported for an
// earlier helper is renewed by bia env once the old copies are unset.
function drop(d: Disagreement, file: string): string {
  if (d.source === 'flag') return `drop ${KEYS[d.key].flag}`;
  if (d.source === 'file') return `remove "${d.key}" from ${file}`;
  return HELLO_KEYS.includes(d.key) ? `unset ${KEYS[d.key].env} (eval "$(bia env --off)" where bia env set it)` : `unset ${KEYS[d.key].env}`;
}

/**
 * Throws the one-line refusal when a given setting is not the running
 * helper's. SHARED: the helper is a shared one (bia helper --system), which
 * this user cannot stop.
 */
export async function requireAgreement(effective: Effective, helper: { socketPath: string; hello: HelloBody; shared: boolean }): Promise<void> {
  const d = disagreement(effective, helper.hello, await commandLineFlags(effective, helper.socketPath));
  if (!d) return;
  // A second helper of the same user needs its own state directory too (docs/mapping-lifecycle.md).
  const fix = helper.shared
    ? `ask its admin, ${drop(d, effective.file)} to follow it, or start a helper of your own with --socket PATH`
    : `stop it (bia stop) and rerun, ${drop(d, effective.file)} to follow it, or start a second helper with its own --socket PATH and XDG_STATE_HOME`;
  throw new CliError(
    `${given(d, effective.file)} differs from the running helper's ${KEYS[d.key].flag.slice(2)} ${d.running} (helper at ${helper.socketPath}): ${fix}`,
    EXIT_CONFIG,
  );
}
