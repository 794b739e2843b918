// The values bia's settings take that the helper acts on: the choices of
// the settings with a fixed set, and the defaults. The configuration
// (schema.ts) owns them and the helper's modules import them from here.
// The synthesized formats are mapping/synth-format.ts's, which checks them
// for both; a pool and a NAT64 prefix are parsed in wire/addresses.ts and
// mapping/nat64-prefix.ts (docs/architecture.md, "Layers of src/").

export type NetworkMode = 'auto' | 'dual' | 'ipv6-only' | 'ipv4-only';
export const NETWORK_MODES: readonly NetworkMode[] = ['auto', 'dual', 'ipv6-only', 'ipv4-only'];

/** Who shares one table of mappings (scope.ts). */
export const POOL_SCOPES = ['host', 'user', 'process'] as const;
export type PoolScope = (typeof POOL_SCOPES)[number];

/**
 * RFC 2544 benchmarking space. It is not routed on the internet and, unlike
 * RFC 1918 space, not used on the home, office and VPN networks a roaming
 * laptop joins, so a pool address never shadows a real neighbour. The draft's
 * 0.0.0.0/8 is rejected by programs and libraries as "this network", and
 * multicast 224/4 breaks programs (proxychains-ng's experience). Fake-IP tools
 * (clash, sing-box, ...) use this range for the same reasons.
 */
export const DEFAULT_POOL = '198.18.0.0/15';

export interface QuotaLimits {
  /** Pool mappings one process may have caused that are still alive. */
  perProcess: number;
  /** The same for all processes of one user together. */
  perUser: number;
  /** New pool mappings one process may cause per second, on average (bursts up to ten seconds' worth). */
  ratePerProcess: number;
  /** The same for one user. */
  ratePerUser: number;
}

/** Generous for real programs (a browser resolves a few hundred names), tight enough that no single process drains a /15. */
export const DEFAULT_QUOTA_LIMITS: QuotaLimits = { perProcess: 4096, perUser: 65536, ratePerProcess: 100, ratePerUser: 1000 };
