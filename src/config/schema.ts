// bia's settings: their names in the config file, the environment and on
// the command line, their defaults, and what a valid value is. One table,
// so the three ways to set a key can never disagree.
import { parsePrefix } from '../mapping/nat64-prefix.js';
import { SYNTH_FORMATS, type SynthName } from '../mapping/synth-format.js';
import { DEFAULT_POOL, DEFAULT_QUOTA_LIMITS, NETWORK_MODES, POOL_SCOPES, type NetworkMode, type PoolScope } from './values.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../log.js';
import { Address6 } from 'ip-address';
import { SYSTEM_SOCKET } from '../paths.js';
import { v4Network } from '../wire/addresses.js';

export interface Config {
  network: NetworkMode;
  pool: string;
  /** "auto" (RFC 7050 discovery), "off", or a NAT64 prefix such as 64:ff9b::/96. */
  nat64: string;
  /** Unset: each part uses its own default (programs warn, the helper info). */
  logLevel?: LogLevel;
  socket: string;
  /** Where a shared helper (`bia helper --system`) listens, and where bia looks for one. */
  systemSocket: string;
  timeoutMs: number;
  resolveTimeoutMs: number;
  /** How IPv6 programs see IPv4-only peers (docs/architecture.md, "Address formats"). */
  synth: SynthName;
  /** Unset: the format's own default prefix. */
  synthPrefix?: string;
  /** M46A plane ID. */
  planeId: number;
  poolScope: PoolScope;
  quotaPerProcess: number;
  quotaPerUser: number;
  ratePerProcess: number;
  ratePerUser: number;
  /** The TCP ports whose connections get the FTP ALG (docs/function-mapper.md, "FTP"), comma-separated; "" for none. */
  ftpPorts: string;
}

export type Key = keyof Config;

export interface KeySpec {
  env: string;
  flag: string;
  /** What a valid value is, for error messages (and the man page and completions). */
  expected: string;
  /** The values to offer when there are few (shell completion). */
  choices?: readonly string[];
  /**
   * The preload library reads it (preload/core/runtime/config.c, by the name
   * scripts/gen-contract.mjs gives it): bia run and bia env pass it on
   * when it is not the default. (The socket, the pool and the synthesis
   * keys reach the preload too, as the helper in use has them.)
   */
  preload?: true;
  /** The value, or undefined when VALUE is not valid. Strings come from env and flags. */
  parse(value: unknown): Config[Key] | undefined;
}

// The preload takes the same range (BIA_MAX_TIMEOUT_MS in the generated
// preload/include/bia_contract.h).
export const MAX_TIMEOUT_MS = 600_000;

/** A parser of whole numbers in min..max, given as a number (a config file) or as digits (env, flags). */
function wholeNumber(min: number, max: number): (value: unknown) => number | undefined {
  return (value) => {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
  };
}

/** A parser of one of CHOICES. */
function oneOf<T extends string>(choices: readonly T[]): (value: unknown) => T | undefined {
  return (value) => ((choices as readonly unknown[]).includes(value) ? (value as T) : undefined);
}

const milliseconds = wholeNumber(1, MAX_TIMEOUT_MS);

function ipv6Network(value: unknown): string | undefined {
  return typeof value === 'string' && value.includes('/') && Address6.isValid(value) ? value : undefined;
}

// Quotas and rates: whole numbers, 1 up to a pool's worth.
const MAX_QUOTA = 2 ** 24;
const count = wholeNumber(1, MAX_QUOTA);
const COUNT = `a whole number, 1..${MAX_QUOTA}`;

// sun_path holds 108 bytes including the terminating NUL; a longer path
// would be cut short by whoever used it, naming another socket.
export const MAX_SOCKET_PATH = 107;

function socketPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.includes('\0')) return undefined;
  return Buffer.byteLength(value) <= MAX_SOCKET_PATH ? value : undefined;
}

// At most MAX_FTP_PORTS ports, each 1..65535; "" turns the FTP ALG off.
const MAX_FTP_PORTS = 8;

function ftpPorts(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  if (text === '') return text;
  const ports = text.split(',');
  const ok = ports.length <= MAX_FTP_PORTS && ports.every((p) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535);
  return ok ? text : undefined;
}

function pool(value: unknown): string | undefined {
  return typeof value === 'string' && v4Network(value) ? value : undefined;
}

export const KEYS: Record<Key, KeySpec> = {
  network: {
    env: 'BIA_NETWORK',
    flag: '--network',
    expected: `one of ${NETWORK_MODES.join(', ')}`,
    choices: NETWORK_MODES,
    preload: true,
    parse: oneOf(NETWORK_MODES),
  },
  pool: { env: 'BIA_POOL', flag: '--pool', expected: `an IPv4 network such as ${DEFAULT_POOL}`, parse: pool },
  nat64: {
    env: 'BIA_NAT64',
    flag: '--nat64',
    expected: 'auto, off or a NAT64 prefix such as 64:ff9b::/96 (length 32, 40, 48, 56, 64 or 96)',
    choices: ['auto', 'off', '64:ff9b::/96'],
    parse: (v) => (v === 'auto' || v === 'off' || (typeof v === 'string' && parsePrefix(v)) ? (v as string) : undefined),
  },
  logLevel: {
    env: 'BIA_LOG',
    flag: '--log-level',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
    choices: LOG_LEVELS,
    preload: true,
    parse: (v) => (isLogLevel(v) ? v : undefined),
  },
  socket: {
    env: 'BIA_SOCKET',
    flag: '--socket',
    expected: `an absolute path of at most ${MAX_SOCKET_PATH} bytes (a Unix socket's limit)`,
    parse: socketPath,
  },
  systemSocket: {
    env: 'BIA_SYSTEM_SOCKET',
    flag: '--system-socket',
    expected: `an absolute path of at most ${MAX_SOCKET_PATH} bytes (a Unix socket's limit)`,
    parse: socketPath,
  },
  timeoutMs: { env: 'BIA_TIMEOUT_MS', flag: '--timeout-ms', expected: `whole milliseconds, 1..${MAX_TIMEOUT_MS}`, preload: true, parse: milliseconds },
  resolveTimeoutMs: {
    env: 'BIA_RESOLVE_TIMEOUT_MS',
    flag: '--resolve-timeout-ms',
    expected: `whole milliseconds, 1..${MAX_TIMEOUT_MS}`,
    preload: true,
    parse: milliseconds,
  },
  synth: {
    env: 'BIA_SYNTH',
    flag: '--synth',
    expected: `one of ${SYNTH_FORMATS.join(', ')}`,
    choices: SYNTH_FORMATS,
    parse: oneOf(SYNTH_FORMATS),
  },
  synthPrefix: { env: 'BIA_SYNTH_PREFIX', flag: '--synth-prefix', expected: 'an IPv6 network such as 64:ff9b::/96', parse: ipv6Network },
  planeId: { env: 'BIA_PLANE_ID', flag: '--plane-id', expected: 'a whole number, 0..4294967295', parse: wholeNumber(0, 0xffffffff) },
  poolScope: {
    env: 'BIA_POOL_SCOPE',
    flag: '--pool-scope',
    expected: `one of ${POOL_SCOPES.join(', ')}`,
    choices: POOL_SCOPES,
    parse: oneOf(POOL_SCOPES),
  },
  quotaPerProcess: { env: 'BIA_QUOTA_PER_PROCESS', flag: '--quota-per-process', expected: COUNT, parse: count },
  quotaPerUser: { env: 'BIA_QUOTA_PER_USER', flag: '--quota-per-user', expected: COUNT, parse: count },
  ratePerProcess: { env: 'BIA_RATE_PER_PROCESS', flag: '--rate-per-process', expected: COUNT, parse: count },
  ratePerUser: { env: 'BIA_RATE_PER_USER', flag: '--rate-per-user', expected: COUNT, parse: count },
  ftpPorts: {
    env: 'BIA_FTP_PORTS',
    flag: '--ftp-ports',
    expected: `up to ${MAX_FTP_PORTS} TCP ports such as 21 or 21,2121, comma-separated, or "" for none`,
    preload: true,
    parse: ftpPorts,
  },
};

export const KEY_NAMES = Object.keys(KEYS) as Key[];

/** The keys marked `preload`. */
export const PRELOAD_KEYS = KEY_NAMES.filter((k) => KEYS[k].preload);

/** The command-line options that set config keys, for parseArgs. */
export const CONFIG_FLAGS = KEY_NAMES.map((k) => KEYS[k].flag);

/** Defaults that need no environment; the socket's depends on XDG_RUNTIME_DIR (paths.ts). */
export const DEFAULTS = {
  network: 'auto',
  systemSocket: SYSTEM_SOCKET,
  pool: DEFAULT_POOL,
  nat64: 'auto',
  timeoutMs: 800,
  resolveTimeoutMs: 8000,
  synth: 'mapped',
  planeId: 0,
  poolScope: 'host',
  quotaPerProcess: DEFAULT_QUOTA_LIMITS.perProcess,
  quotaPerUser: DEFAULT_QUOTA_LIMITS.perUser,
  ratePerProcess: DEFAULT_QUOTA_LIMITS.ratePerProcess,
  ratePerUser: DEFAULT_QUOTA_LIMITS.ratePerUser,
  ftpPorts: '21',
} as const;

/** The keys that are the helper's: a helper started by bia gets them as flags. */
export const HELPER_KEYS = ['network', 'pool', 'nat64', 'synth', 'planeId', 'poolScope', 'quotaPerProcess', 'quotaPerUser', 'ratePerProcess', 'ratePerUser'] as const satisfies readonly Key[];
