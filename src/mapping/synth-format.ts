// The formats of synthesized IPv6 addresses (helper/synth.ts,
// docs/architecture.md "Address formats"), their default prefixes, and the
// wire parameters a setting gives, or why it cannot work: validated the
// same way when the configuration is read and when the helper starts.
import { Address6 } from 'ip-address';
import { MAPPED_SYNTH, synthProblem, SynthFormat, type SynthParams } from '../wire/messages.js';

export const SYNTH_FORMATS = ['mapped', 'prefix', 'm46a', 'pool'] as const;
export type SynthName = (typeof SYNTH_FORMATS)[number];

/** The prefix a format uses when none is configured. */
export const DEFAULT_SYNTH_PREFIX: Record<SynthName, string> = {
  mapped: '::ffff:0:0/96',
  prefix: '64:ff9b::/96',
  // Unique-local ("bia" in ASCII), never routed: nothing real can be shadowed.
  m46a: 'fd62:6961:46::/64',
  pool: 'fd62:6961::/112',
};

const FORMAT: Record<SynthName, SynthFormat> = {
  mapped: SynthFormat.Mapped,
  prefix: SynthFormat.Prefix,
  m46a: SynthFormat.M46a,
  pool: SynthFormat.Pool,
};

export interface SynthSettings {
  format: SynthName;
  /** An IPv6 network, a.b::/len; the format's default when undefined. */
  prefix?: string;
  plane?: number;
}

/** The wire parameters for SETTINGS, or an Error saying why they cannot work. */
export function synthParams(settings: SynthSettings): SynthParams {
  if (settings.format === 'mapped') return MAPPED_SYNTH;
  const text = settings.prefix ?? DEFAULT_SYNTH_PREFIX[settings.format];
  if (!Address6.isValid(text) || !text.includes('/')) throw new Error(`${text}: expected an IPv6 network such as 64:ff9b::/96`);
  const net = new Address6(text);
  if (net.startAddress().correctForm() !== net.correctForm()) throw new Error(`${text}: host bits are set`);
  const params = { format: FORMAT[settings.format], prefix: net.correctForm(), prefixLen: net.subnetMask, plane: settings.plane ?? 0 };
  const why = synthProblem(params.format, params.prefixLen, params.plane);
  if (why) throw new Error(why);
  return params;
}
