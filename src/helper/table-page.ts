// The TABLE reply's page of mappings, for `bia status`.
import type { TableBody, TableRow } from '../wire/messages.js';
import { TABLE_ROOM, tableRowSize } from '../wire/replies.js';
import type { Pool } from './pool.js';
import type { Listed } from './tables.js';

// As many rows from `offset` on as fit in one frame, of the tables the
// caller may list (tables.ts), as one list. `offset`, `next` and `total`
// count every row of those tables, shown or not, so that a caller that sees
// only some rows pages through the same positions; a page ends only when it
// is full or the list is, so an empty page is the last one.
export function tablePage(listed: Listed[], sharedPool: Pool, offset: number): TableBody {
  const total = listed.reduce((n, l) => n + l.table.size, 0);
  const rows: TableRow[] = [];
  let room = TABLE_ROOM;
  let position = offset;
  let full = false;
  const fits = (row: TableRow) => {
    full = rows.length === 255 || tableRowSize(row) > room;
    if (full) return false;
    room -= tableRowSize(row);
    rows.push(row);
    return true;
  };
  let skip = offset;
  for (const { table, shows } of listed) {
    if (skip >= table.size) {
      skip -= table.size;
      continue;
    }
    table.rows(skip, (row) => {
      if (shows(row) && !fits(row)) return false;
      position++;
      return true;
    });
    skip = 0;
    if (full) break;
  }
  // Scope user: the caller's own pool; otherwise the shared one.
  const stats = (listed.length === 1 ? listed[0].table.pool : sharedPool).stats();
  return { poolSize: stats.size, poolUsed: stats.used, poolQuarantined: stats.quarantined, total, next: Math.min(total, position), rows };
}
