// The native addon (native/): what Node cannot do by itself.
// node-gyp-build finds it in build/Release or prebuilds/ under the package
// root, which is one level above both src/ and dist/.
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { packageRoot } from './package-root.js';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

export interface Closable {
  close(): void;
}

interface Addon {
  peerCredentials(fd: number): PeerCredentials;
  /** Absent from an addon built before it existed. */
  peerGroups?(fd: number): number[];
  /** Absent from an addon built before it existed. */
  watchNetwork?(onChange: (err?: Error) => void): Closable;
  lockFile(path: string): number;
  /** Absent from an addon built before it existed. */
  MapTable?: new (path: string, poolBase: number, records: number) => MapTableFile;
  /** Absent from an addon built before it existed. */
  batchScheduling?(): number;
  /** Absent from an addon built before it existed. */
  listenUses?(path: string, mode: number, onReports: (reports: UseDatagram[]) => void): UseListener;
  /** Absent from an addon built before it existed. */
  listenStream?(path: string): number;
  isListening?(fd: number): boolean;
  serveStream?(listenFd: number, idleMs: number, frameMs: number, onEvents: (events: StreamEvents) => void): StreamEngine;
}

/**
 * What native/streamconns.cc reports in one call, flat: per event its kind
 * (StreamEvent), the connection's id, then its fields (stream-conns.ts).
 */
export type StreamEvents = (number | Buffer)[];

/** The helper's stream connections, served in the addon (native/streamconns.cc). */
export interface StreamEngine extends Closable {
  /** The frames leave in one write; true when the kernel took them all now, else a "drained" event follows. */
  write(id: number, frames: Buffer[]): boolean;
  /** No more replies: shut once they are out, closed once the client is done too. */
  end(id: number): void;
  destroy(id: number): void;
  pause(id: number): void;
  resume(id: number): void;
  /** Closed after ms without a byte either way. */
  timeout(id: number, ms: number): void;
}

/** The helper's use socket: `drain` hands over at once what is queued. */
export interface UseListener extends Closable {
  drain(): void;
}

/** One datagram of the helper's use socket (native/usesock.cc): its sender as the kernel vouches for it, and its bytes. */
export type UseDatagram = [pid: number, uid: number, gid: number, frame: Buffer];

/** The helper's published mapping table (native/maptable.cc, docs/protocol.md "The published table"). */
export interface MapTableFile {
  /** Record `i` maps to the IPv6 address of words w0..w3 (most significant first) until `until` (s; MAPTABLE_HELD: in use). */
  set(i: number, until: number, w0: number, w1: number, w2: number, w3: number): void;
  clear(i: number): void;
  /** The HELLO reply frame (at most 48 bytes) readers take instead of asking. */
  setHello(frame: Buffer): void;
  /** Marks the file as no longer served (readers go back to asking) and removes it. */
  retire(): void;
}

let addon: Addon | undefined;

/** Loads the addon now, so that a missing build is reported at start-up rather than at the first client. */
export function loadNative(): void {
  if (addon) return;
  try {
    const load = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => Addon;
    addon = load(packageRoot);
  } catch (err) {
    throw new Error(`bia's native addon (bia_native) is not available: ${(err as Error).message}. Build it with 'npx node-gyp rebuild' in ${packageRoot} (needs a C++ compiler).`);
  }
}

/** SO_PEERCRED of a connected Unix socket: who is on the other end. */
export function peerCredentials(fd: number): PeerCredentials {
  loadNative();
  return addon!.peerCredentials(fd);
}

/** SO_PEERGROUPS of a connected Unix socket: the peer's supplementary groups when it connected. */
export function peerGroups(fd: number): number[] {
  loadNative();
  if (!addon!.peerGroups) throw new Error('the native addon predates peerGroups; rebuild it');
  return addon!.peerGroups(fd);
}

/**
 * Calls `onChange` after the host's addresses or routes changed (netlink,
 * native/netwatch.cc), with an Error when watching stopped working.
 * Throws when it cannot watch (no netlink socket allowed, an older addon).
 */
export function watchNetwork(onChange: (err?: Error) => void): Closable {
  loadNative();
  if (!addon!.watchNetwork) throw new Error('the native addon predates watchNetwork; rebuild it');
  const watch = addon!.watchNetwork(onChange);
  let open = true;
  // The native handle is freed once closed: a second close must not reach it.
  return { close: () => void (open && ((open = false), watch.close())) };
}

/** An exclusive flock on PATH (created 0600): its descriptor, which holds the lock until closed or the process ends. Throws with code EWOULDBLOCK when another process holds it. */
export function lockFile(path: string): number {
  loadNative();
  return addon!.lockFile(path);
}

/**
 * Replaces PATH with an empty published table for `records` pool addresses
 * from `poolBase` (a host-order number; the addon caps `records` at
 * bia_maptable.h's maximum). Throws when the file cannot be made.
 */
export function openMapTable(path: string, poolBase: number, records: number): MapTableFile {
  loadNative();
  if (!addon!.MapTable) throw new Error('the native addon predates the published table; rebuild it');
  return new addon!.MapTable(path, poolBase, records);
}

/**
 * Puts the calling thread on SCHED_BATCH (native/sched.cc says why): its
 * wake-ups no longer preempt the program that woke it. Returns why not
 * (an errno name, or an older addon), or undefined when done.
 */
export function batchScheduling(): string | undefined {
  loadNative();
  if (!addon!.batchScheduling) return 'the native addon predates batchScheduling';
  const err = addon!.batchScheduling();
  if (err === 0) return undefined;
  return Object.entries(constants.errno).find(([, n]) => n === err)?.[0] ?? `errno ${err}`;
}

/**
 * Binds a datagram socket at PATH (mode MODE) and calls `onReports` with
 * the datagrams each wake-up of the event loop finds queued, each with the
 * credentials the kernel attached (SCM_CREDENTIALS). Throws when it cannot
 * (the path exists, an older addon).
 */
export function listenUses(path: string, mode: number, onReports: (reports: UseDatagram[]) => void): UseListener {
  loadNative();
  if (!addon!.listenUses) throw new Error('the native addon predates listenUses; rebuild it');
  const listener = addon!.listenUses(path, mode, onReports);
  let open = true;
  return {
    close: () => void (open && ((open = false), listener.close())),
    drain: () => void (open && listener.drain()),
  };
}

/** A listening Unix stream socket at PATH (which must not exist), for serveStream. Throws with `errno` when it cannot. */
export function listenStream(path: string): number {
  loadNative();
  if (!addon!.listenStream) throw new Error('the native addon predates listenStream; rebuild it');
  return addon!.listenStream(path);
}

/** Whether FD is a listening stream socket. */
export function isListening(fd: number): boolean {
  loadNative();
  if (!addon!.isListening) throw new Error('the native addon predates isListening; rebuild it');
  return addon!.isListening(fd);
}

/** Serves the connections of the listening socket LISTENFD (now the addon's to close), reporting them to onEvents. */
export function serveStream(listenFd: number, idleMs: number, frameMs: number, onEvents: (events: StreamEvents) => void): StreamEngine {
  loadNative();
  if (!addon!.serveStream) throw new Error('the native addon predates serveStream; rebuild it');
  return addon!.serveStream(listenFd, idleMs, frameMs, onEvents);
}
