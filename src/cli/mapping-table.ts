// The helper's mapping table for `bia status`: TABLE pages (docs/protocol.md)
// fetched until the last one, each on its own short request.
import { request } from '../client.js';
import { Kind, MsgType, Status, type TableBody, type TableRow } from '../wire/messages.js';

export interface MappingTable {
  pool: { size: number; used: number; quarantined: number; free: number };
  mappings: (Omit<TableRow, 'kind' | 'name'> & { kind: string; name: string | null })[];
}

// A table that grows while it is read must not keep status reading forever.
const MAX_PAGES = 10_000;

export async function mappingTable(socket: string, timeoutMs = 1000): Promise<MappingTable> {
  let page: TableBody | undefined;
  const rows: TableRow[] = [];
  for (let offset = 0, pages = 0; pages < MAX_PAGES; pages++) {
    const reply = await request(socket, { type: MsgType.Table, id: pages + 1, offset }, timeoutMs);
    if (reply.status !== Status.Ok || !('table' in reply)) throw new Error(`the helper answered TABLE with ${Status[reply.status]}`);
    page = reply.table;
    rows.push(...page.rows);
    if (page.rows.length === 0 || page.next >= page.total) break;
    offset = page.next;
  }
  const { poolSize: size, poolUsed: used, poolQuarantined: quarantined } = page!;
  return {
    pool: { size, used, quarantined, free: Math.max(0, size - used - quarantined) },
    mappings: rows.map((r) => ({ ...r, kind: Kind[r.kind].toLowerCase(), name: r.name || null })),
  };
}

/** The table as text: one line per mapping, widest column first. */
export function tableText(t: MappingTable): string[] {
  const lines = [`mappings: ${t.mappings.length} (pool: ${t.pool.size} addresses, ${t.pool.used} used, ${t.pool.quarantined} in quarantine, ${t.pool.free} free)`];
  if (t.mappings.length === 0) return lines;
  const head = ['ADDRESS', 'PEER', 'KIND', 'NAME', 'AGE', 'IDLE', 'USES', 'IN USE'];
  const cells = t.mappings.map((m) => [m.v4, m.v6, m.kind, m.name ?? '-', duration(m.age), duration(m.idle), String(m.uses), String(m.inUse)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  for (const row of [head, ...cells]) lines.push('  ' + row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  return lines;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}
