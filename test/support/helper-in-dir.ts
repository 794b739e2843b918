// An in-process helper for the server tests: everything it reads or
// writes is below DIR (its own hosts and resolv.conf, its socket in run/,
// its state in state/), and its log goes nowhere.
import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/log.js';
import type { NetSources } from '../../src/helper/netdetect.js';
import { startHelper, type Helper, type HelperOptions } from '../../src/helper/server.js';

/** The fixture host: IPv6-only, as /proc would show it. */
const NET = path.join(import.meta.dirname, '..', 'fixtures', 'net', 'ipv6-only');
export const ipv6OnlyNet: NetSources = {
  ifInet6: path.join(NET, 'if_inet6'),
  ipv6Route: path.join(NET, 'ipv6_route'),
  ipv4Route: path.join(NET, 'route'),
  interfaces: () => ({}),
};

export async function startHelperIn(dir: string, options: HelperOptions, hosts = ''): Promise<Helper> {
  fs.writeFileSync(path.join(dir, 'hosts'), hosts);
  fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 192.0.2.53\n');
  return startHelper({
    socketPath: path.join(dir, 'run', 'helper.sock'),
    stateDir: path.join(dir, 'state'),
    log: createLogger('error', 'test', () => {}),
    hostsPath: path.join(dir, 'hosts'),
    resolvConfPath: path.join(dir, 'resolv.conf'),
    ...options,
  });
}
