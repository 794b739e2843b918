// The helper protocol, version 1: the TypeScript half of docs/protocol.md
// (this folder: messages here; the byte layout in requests.ts and
// replies.ts; frames.ts; addresses.ts). The C half is
// preload/include/bia_protocol.h; both are tested against
// test/vectors/protocol.json.

export const PROTOCOL_VERSION = 1;
export const HEADER_SIZE = 12;
export const MAX_FRAME = 4096;
export const MAX_NAME = 253;
export const MAX_ENTRIES = 32;
/** Addresses one USE or RELEASE carries at most. */
export const MAX_USES = 255;
/** A NAT64 reply's ttl for a setting that never runs out (configured, off). */
export const NAT64_FOREVER = 0xffffffff;

export enum MsgType {
  Hello = 1,
  Resolve = 2,
  Map4 = 3,
  Map6 = 4,
  Name4 = 5,
  /** Notification, no reply: sockets of the sender started using these mappings. */
  Use = 6,
  /** Notification, no reply: sockets of the sender stopped using these mappings. */
  Release = 7,
  /** A page of the mapping table, for `bia status`. */
  Table = 8,
  Synth = 9,
  /** The NAT64 prefix the helper uses and how it learnt it, for `bia status`. */
  Nat64 = 10,
}

export enum Status {
  Ok = 0,
  NotFound = 1,
  NoData = 2,
  TryAgain = 3,
  PoolExhausted = 4,
  BadRequest = 5,
  BadVersion = 6,
  Internal = 7,
  /** The calling process or user reached its allocation quota or rate. */
  Quota = 8,
  /** The helper does not serve the caller's user (a shared helper's allow list). */
  Denied = 9,
}

export enum Kind {
  Native = 1,
  Paired = 2,
  Pool = 3,
  Synthetic = 4,
  Nat64 = 5,
}

/** Network modes as they travel on the wire (HELLO reply). */
export enum WireNetwork {
  None = 0,
  Dual = 1,
  Ipv6Only = 2,
  Ipv4Only = 3,
}

/** How the helper knows its NAT64 prefix, or why it has none (NAT64 reply). */
export enum Nat64Source {
  /** Not learnt yet: no discovery has ended on this network (or none was needed: not IPv6-only). */
  Unknown = 0,
  /** RFC 7050 discovery ended without a prefix: no NAT64 on this network. */
  None = 1,
  /** Learnt by RFC 7050 discovery (ipv4only.arpa). */
  Rfc7050 = 2,
  /** Configured (nat64 setting). */
  Config = 3,
  /** NAT64 turned off by configuration. */
  Off = 4,
}

/** How the helper synthesizes IPv6 addresses for IPv4-only peers (HELLO reply). */
export enum SynthFormat {
  Mapped = 1,
  Prefix = 2,
  M46a = 3,
  Pool = 4,
}

/** One IPv4 <-> IPv6 correspondence; addresses in their canonical text form. */
export interface Entry {
  kind: Kind;
  v4: string;
  v6: string;
  ttl: number;
}

export type Request =
  | { type: MsgType.Hello; id: number }
  | { type: MsgType.Resolve; id: number; family: 4 | 6; name: string }
  | { type: MsgType.Map4; id: number; v4: string }
  | { type: MsgType.Map6; id: number; v6: string }
  | { type: MsgType.Name4; id: number; v4: string }
  | { type: MsgType.Synth; id: number; v4: string }
  | { type: MsgType.Use | MsgType.Release; id: number; v4s: string[] }
  | { type: MsgType.Table; id: number; offset: number }
  | { type: MsgType.Nat64; id: number };

/** Requests the helper answers with nothing (docs/protocol.md, "Notifications"). */
export const isNotification = (req: Request): boolean => req.type === MsgType.Use || req.type === MsgType.Release;

export interface HelloBody {
  network: WireNetwork;
  pool: string;
  poolLen: number;
  ttl: number;
  synth: SynthParams;
}

/** The synthesis format and its parameters (docs/protocol.md, HELLO). */
export interface SynthParams {
  format: SynthFormat;
  /** The IPv6 prefix (canonical text): ::ffff:0:0 for Mapped, the M46A prefix without the plane ID for M46a. */
  prefix: string;
  prefixLen: number;
  /** M46A plane ID; 0 for the other formats. */
  plane: number;
}

/** What a 7-byte HELLO body (a helper older than the synthesis fields) means. */
export const MAPPED_SYNTH: SynthParams = { format: SynthFormat.Mapped, prefix: '::ffff:0:0', prefixLen: 96, plane: 0 };

export interface ResolveBody {
  canon: string;
  entries: Entry[];
}

/** One row of the mapping table (TABLE reply). Times in seconds. */
export interface TableRow extends Omit<Entry, 'ttl'> {
  age: number;
  idle: number;
  uses: number;
  inUse: number;
  /** Empty when the mapping was made for no name. */
  name: string;
}

export interface TableBody {
  /** Addresses the pool can hand out at all, how many stand for a peer now, how many wait out their quarantine. */
  poolSize: number;
  poolUsed: number;
  poolQuarantined: number;
  /** Rows in the whole table, and the offset of the page after this one (= total on the last page). */
  total: number;
  next: number;
  rows: TableRow[];
}

export interface Nat64Body {
  source: Nat64Source;
  /** The prefix (canonical text) and its length; '::' and 0 without one. */
  prefix: string;
  prefixLen: number;
  /** Seconds until the helper learns it again; 0 when unknown or already due; NAT64_FOREVER when it never does. */
  ttl: number;
}

export type Reply =
  | { type: MsgType; id: number; status: Exclude<Status, Status.Ok> }
  | { type: MsgType.Hello; id: number; status: Status.Ok; hello: HelloBody }
  | { type: MsgType.Resolve; id: number; status: Status.Ok; resolve: ResolveBody }
  | { type: MsgType.Map4 | MsgType.Map6 | MsgType.Synth; id: number; status: Status.Ok; entry: Entry }
  | { type: MsgType.Name4; id: number; status: Status.Ok; name: string }
  | { type: MsgType.Table; id: number; status: Status.Ok; table: TableBody }
  | { type: MsgType.Nat64; id: number; status: Status.Ok; nat64: Nat64Body };

/** Thrown for any frame that does not follow docs/protocol.md. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly status: Status = Status.BadRequest,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The NAT64 prefix lengths RFC 6052 section 2.2 allows. */
export const NAT64_PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96] as const;

/**
 * Why a format and its prefix length and plane ID cannot work together, or
 * undefined: /96 for the mapped and prefix formats (IPv4 in the last 32
 * bits), an M46A prefix of at most 96 bits with the plane ID fitting the
 * bits between it and the IPv4 address, a pool prefix leaving room for at
 * least 4 addresses.
 */
export function synthProblem(format: number, prefixLen: number, plane: number): string | undefined {
  switch (format) {
    case SynthFormat.Mapped:
    case SynthFormat.Prefix:
      return prefixLen === 96 ? undefined : `the ${SynthFormat[format].toLowerCase()} format needs a /96 prefix, not /${prefixLen}`;
    case SynthFormat.M46a:
      if (prefixLen > 96) return `an M46A prefix must be at most /96, not /${prefixLen}`;
      return prefixLen >= 64 && plane >= 2 ** (96 - prefixLen) ? `plane ID ${plane} does not fit in the ${96 - prefixLen} bits after a /${prefixLen}` : undefined;
    case SynthFormat.Pool:
      return prefixLen <= 126 ? undefined : `a pool prefix must be at most /126, not /${prefixLen}`;
    default:
      return `unknown synthesis format ${format}`;
  }
}
