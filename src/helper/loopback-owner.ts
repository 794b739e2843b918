// Whose socket a query to the DNS endpoint came from. Loopback carries no
// credentials (SO_PEERCRED is for Unix sockets), but the kernel's socket
// tables in /proc/net name each socket's owner: the client's socket is the
// one whose local port is the query's source port and whose remote port is
// the endpoint's (or none: an unconnected UDP socket).
import fs from 'node:fs';

const TABLES = { udp: ['/proc/net/udp', '/proc/net/udp6'], tcp: ['/proc/net/tcp', '/proc/net/tcp6'] };

/** The uid owning the loopback socket bound to `port` that talks to `endpointPort`; undefined when none is found. */
export function loopbackOwner(transport: 'udp' | 'tcp', port: number, endpointPort: number, tables = TABLES[transport]): number | undefined {
  for (const table of tables) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      const local = parseInt(f[1].split(':')[1], 16);
      const remote = parseInt(f[2].split(':')[1], 16);
      if (local === port && (remote === endpointPort || (transport === 'udp' && remote === 0))) return Number(f[7]);
    }
  }
  return undefined;
}
