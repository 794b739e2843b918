// Pool granularity (BIA section 6.3, docs/mapping-lifecycle.md): who shares
// one table of mappings. host: every program the helper serves; user: the
// same, since a helper serves one user; process: each client process has a
// table of its own, kept only while it runs.
export const POOL_SCOPES = ['host', 'user', 'process'] as const;
export type PoolScope = (typeof POOL_SCOPES)[number];
