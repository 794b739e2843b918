// A helper shared by several users (bia helper --system, the shared mode of
// startHelper), against real other uids: each client is a Python program run
// through setpriv as that user (so the tests need root, as CI runs them).
// Pool scope host gives the same IPv6 peer the same IPv4 address for every
// user; scope user gives each user a table of its own; a user the helper
// does not serve gets DENIED; a user lists only what it was answered with;
// quotas count per user.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/client.js';
import type { DnsTransport, QueryOutcome } from '../../src/helper/resolver.js';
import type { Helper, HelperOptions } from '../../src/helper/server.js';
import { ipv6OnlyNet, startHelperIn } from '../support/helper-in-dir.js';
import { EVERYONE } from '../../src/helper/admission.js';
import { createLogger } from '../../src/log.js';
import { MsgType, Status, type Reply, type Request } from '../../src/wire/messages.js';
import { decodeReply } from '../../src/wire/replies.js';
import { encodeRequest } from '../../src/wire/requests.js';
import { skipWhen } from '../support/skip.js';

const netSources = ipv6OnlyNet;

// Two AAAA-only names.
const dns: DnsTransport = () => ({
  async query(name, type): Promise<QueryOutcome> {
    const v6 = { 'a.example': '2001:db8::a', 'b.example': '2001:db8::b' }[name];
    if (!v6) return { kind: 'nxdomain' };
    return type === 'AAAA' ? { kind: 'ok', records: [{ address: v6, ttl: 300 }] } : { kind: 'nodata' };
  },
  cancel() {},
});

const ANN = 65534; // nobody
const BOB = 4242;
const EVE = 4343; // served by no one, unless through a group
const STAFF = 4444;

const canRun = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

const dirs: string[] = [];
const helpers: Helper[] = [];
afterEach(async () => {
  await Promise.all(helpers.splice(0).map((h) => h.close()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

// The socket directory must be reachable by the other users: one in /run
// (root's, 0755), as /run/bia is.
async function start(options: HelperOptions): Promise<Helper> {
  const dir = fs.mkdtempSync('/run/bia-shared-test-');
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  const helper = await startHelperIn(dir, { dns, netSources, shared: true, ...options });
  helpers.push(helper);
  return helper;
}

// Sends each request on one connection as UID (with GROUPS as its
// supplementary groups, GID its primary group) and prints each reply frame.
const CLIENT = String.raw`import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect", e.errno); sys.exit()
s.settimeout(5)
def exactly(n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk: return None
        data += chunk
    return data
for req in sys.argv[2:]:
    s.sendall(bytes.fromhex(req))
    head = exactly(4)
    if head is None: print("closed"); break
    print((head + exactly(int.from_bytes(head, "big"))).hex(), flush=True)`;

async function as(uid: number, socketPath: string, requests: Request[], ids: { gid?: number; groups?: number[] } = {}): Promise<Reply[]> {
  const groups = ids.groups?.length ? [`--groups=${ids.groups.join(',')}`] : ['--clear-groups'];
  const args = [`--reuid=${uid}`, `--regid=${ids.gid ?? uid}`, ...groups, '/usr/bin/python3', '-c', CLIENT, socketPath, ...requests.map((r) => encodeRequest(r).toString('hex'))];
  const out = await new Promise<string>((resolve) => {
    const child = spawn('setpriv', args);
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', () => resolve(text.trim()));
  });
  const lines = out.split('\n');
  if (!lines.every((l) => /^([0-9a-f]+|closed)$/.test(l))) throw new Error(`uid ${uid}: ${out}`);
  return lines.filter((l) => l !== 'closed').map((l) => decodeReply(Buffer.from(l, 'hex')));
}

const map6 = (id: number, v6: string): Request => ({ type: MsgType.Map6, id, v6 });
const map4 = (id: number, v4: string): Request => ({ type: MsgType.Map4, id, v4 });
const resolve4 = (id: number, name: string): Request => ({ type: MsgType.Resolve, id, family: 4, name });
const table = (id: number): Request => ({ type: MsgType.Table, id, offset: 0 });
const v4Of = (r: Reply) => ('entry' in r ? r.entry.v4 : Status[r.status]);
const v6Of = (r: Reply) => ('entry' in r ? r.entry.v6 : Status[r.status]);
const listed = (r: Reply) => ('table' in r ? r.table.rows.map((row) => `${row.v4}=${row.v6}`) : Status[r.status]);

describe('a helper shared by several users', skipWhen(!canRun && 'needs root, to run a second user through setpriv'), () => {
  it('scope host: the same IPv6 peer has the same IPv4 address for every user, and each lists only what it was answered with', async () => {
    const h = await start({ allow: { uids: [ANN, BOB], gids: [] } });
    const [annA] = await as(ANN, h.socketPath, [resolve4(1, 'a.example')]);
    const [bobA, bobB, bobMap4] = await as(BOB, h.socketPath, [resolve4(1, 'a.example'), map6(2, '2001:db8::b'), map4(3, '198.18.0.1')]);
    const first = 'resolve' in annA ? annA.resolve.entries[0].v4 : Status[annA.status];
    expect(first).toBe('198.18.0.1');
    expect('resolve' in bobA && bobA.resolve.entries[0].v4).toBe(first);
    expect(v4Of(bobB)).toBe('198.18.0.2');
    expect(v6Of(bobMap4)).toBe('2001:db8::a'); // Ann's mapping means the same for Bob

    // Ann never asked about b: it is not in her listing; Bob sees both; root everything.
    const [annTable] = await as(ANN, h.socketPath, [table(4)]);
    expect(listed(annTable)).toEqual(['198.18.0.1=2001:db8::a']);
    expect(annTable).toMatchObject({ table: { poolUsed: 2, total: 2, next: 2 } });
    const [bobTable] = await as(BOB, h.socketPath, [table(4)]);
    expect(listed(bobTable)).toEqual(['198.18.0.1=2001:db8::a', '198.18.0.2=2001:db8::b']);
    expect(listed(await request(h.socketPath, table(5)))).toEqual(['198.18.0.1=2001:db8::a', '198.18.0.2=2001:db8::b']);
    // Asking for an address is being answered with it.
    const [, annAfter] = await as(ANN, h.socketPath, [map4(6, '198.18.0.2'), table(7)]);
    expect(listed(annAfter)).toEqual(['198.18.0.1=2001:db8::a', '198.18.0.2=2001:db8::b']);
  });

  it('scope user: each user has a table of its own, with its own pool addresses', async () => {
    const h = await start({ allow: { uids: [ANN, BOB], gids: [] }, scope: 'user' });
    const ann = await as(ANN, h.socketPath, [map6(1, '2001:db8::a'), map4(2, '198.18.0.1')]);
    const bob = await as(BOB, h.socketPath, [map6(1, '2001:db8::b'), map6(2, '2001:db8::a'), map4(3, '198.18.0.1'), table(4)]);
    expect(ann.map(v4Of)).toEqual(['198.18.0.1', '198.18.0.1']);
    expect(v6Of(ann[1])).toBe('2001:db8::a');
    expect(bob.slice(0, 3).map(v4Of)).toEqual(['198.18.0.1', '198.18.0.2', '198.18.0.1']);
    expect(v6Of(bob[2])).toBe('2001:db8::b'); // the same address, another peer: Bob's own
    expect(listed(bob[3])).toEqual(['198.18.0.1=2001:db8::b', '198.18.0.2=2001:db8::a']);
    const [annTable] = await as(ANN, h.socketPath, [table(3)]);
    expect(listed(annTable)).toEqual(['198.18.0.1=2001:db8::a']);
    // The helper's own user (root here) keeps the shared table, untouched by theirs.
    expect(listed(await request(h.socketPath, table(5)))).toEqual([]);
  });

  it('scope user: each user\'s table survives a helper restart', async () => {
    const first = await start({ allow: { uids: [ANN, BOB], gids: [] }, scope: 'user' });
    const stateDir = path.join(path.dirname(path.dirname(first.socketPath)), 'state');
    expect((await as(ANN, first.socketPath, [map6(1, '2001:db8::a')])).map(v4Of)).toEqual(['198.18.0.1']);
    expect((await as(BOB, first.socketPath, [map6(1, '2001:db8::b')])).map(v4Of)).toEqual(['198.18.0.1']);
    await first.close();
    helpers.splice(helpers.indexOf(first), 1);
    const again = await start({ allow: { uids: [ANN, BOB], gids: [] }, scope: 'user', stateDir });
    const ann = await as(ANN, again.socketPath, [map4(1, '198.18.0.1'), map6(2, '2001:db8::c')]);
    expect(ann.map(v6Of)).toEqual(['2001:db8::a', '2001:db8::c']);
    expect(v4Of(ann[1])).toBe('198.18.0.2'); // .1 is still Ann's peer's
    expect((await as(BOB, again.socketPath, [map4(1, '198.18.0.1')])).map(v6Of)).toEqual(['2001:db8::b']);
  });

  it('answers DENIED to a user it does not serve, changing nothing, and serves a member of an allowed group', async () => {
    const h = await start({ allow: { uids: [ANN], gids: [STAFF] } });
    const [denied, after] = await as(EVE, h.socketPath, [map6(9, '2001:db8::e'), map6(10, '2001:db8::e')]);
    expect(denied).toMatchObject({ type: MsgType.Map6, id: 9, status: Status.Denied });
    expect(after).toBeUndefined(); // closed after the one answer
    expect(listed(await request(h.socketPath, table(1)))).toEqual([]);
    // A supplementary group, or the primary one, lets her in.
    expect((await as(EVE, h.socketPath, [map6(1, '2001:db8::e')], { groups: [STAFF] })).map(v4Of)).toEqual(['198.18.0.1']);
    expect((await as(EVE, h.socketPath, [map6(1, '2001:db8::e')], { gid: STAFF })).map(v4Of)).toEqual(['198.18.0.1']);
  });

  it('counts quotas per user: one user at its quota leaves another its mappings', async () => {
    const h = await start({ allow: { uids: [ANN, BOB], gids: [] }, quotas: { perUser: 2 } });
    const ann = await as(ANN, h.socketPath, [map6(1, '2001:db8::1'), map6(2, '2001:db8::2'), map6(3, '2001:db8::3')]);
    expect(ann.map(v4Of)).toEqual(['198.18.0.1', '198.18.0.2', 'Quota']);
    // In another process too: the quota is the user's.
    expect((await as(ANN, h.socketPath, [map6(1, '2001:db8::4')])).map(v4Of)).toEqual(['Quota']);
    const bob = await as(BOB, h.socketPath, [map6(1, '2001:db8::5'), map6(2, '2001:db8::1')]);
    expect(bob.map(v4Of)).toEqual(['198.18.0.3', '198.18.0.1']); // an existing mapping is free
  });

  it('as root in a container: serves every uid in scope host, on a socket others reach, and keeps its table for root', async () => {
    const umask = process.umask(0o077); // as a careful entrypoint may set: the socket's directory must still let others in
    const h = await start({ container: true, allow: EVERYONE }).finally(() => process.umask(umask));
    expect(fs.statSync(path.dirname(h.socketPath)).mode & 0o777).toBe(0o755);
    expect(fs.statSync(h.socketPath).mode & 0o777).toBe(0o666);
    const published = fs.statSync(`${h.socketPath}.map`);
    expect([published.uid, published.mode & 0o777]).toEqual([0, 0o600]); // root's programs read it; others ask
    expect((await as(ANN, h.socketPath, [map6(1, '2001:db8::a')])).map(v4Of)).toEqual(['198.18.0.1']);
    expect((await as(EVE, h.socketPath, [map4(1, '198.18.0.1'), map6(2, '2001:db8::b')])).map(v6Of)).toEqual(['2001:db8::a', '2001:db8::b']);
    expect(listed(await request(h.socketPath, table(1)))).toEqual(['198.18.0.1=2001:db8::a', '198.18.0.2=2001:db8::b']);
  });

  it('as root in a container: says so when a directory on the way keeps other users out', async () => {
    const dir = fs.mkdtempSync('/run/bia-shared-test-'); // 0700
    dirs.push(dir);
    const lines: string[] = [];
    const h = await startHelperIn(dir, { dns, netSources, container: true, allow: EVERYONE, log: createLogger('warn', 'test', (l) => lines.push(l)) });
    helpers.push(h);
    expect(lines.join('')).toContain(`programs of other users cannot reach this helper: ${dir} is mode 700; run 'chmod o+x ${dir}'`);
    await expect(as(ANN, h.socketPath, [map6(1, '2001:db8::a')])).rejects.toThrow('connect 13');
  });

  it('caps the connections of one user', async () => {
    const h = await start({ allow: { uids: [ANN, BOB], gids: [] }, maxConnectionsPerUser: 3, maxConnectionsPerPeer: 10 });
    const HOLD = String.raw`import socket, sys, time
held = []
for i in range(5):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)
    try:
        s.sendall(bytes.fromhex(sys.argv[2])); s.settimeout(3)
        print("answered" if s.recv(4096) else "closed", flush=True)
    except (BrokenPipeError, ConnectionResetError):
        print("closed", flush=True)`;
    const hello = encodeRequest({ type: MsgType.Hello, id: 1 }).toString('hex');
    const r = await new Promise<string>((resolve) => {
      const child = spawn('setpriv', [`--reuid=${ANN}`, `--regid=${ANN}`, '--clear-groups', '/usr/bin/python3', '-c', HOLD, h.socketPath, hello]);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', () => resolve(out.trim()));
    });
    expect(r.split('\n')).toEqual(['answered', 'answered', 'answered', 'closed', 'closed']);
    expect((await as(BOB, h.socketPath, [map6(1, '2001:db8::b')])).map(v4Of)).toEqual(['198.18.0.1']);
  });
});
