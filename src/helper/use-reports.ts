// USE and RELEASE as datagrams (docs/protocol.md, "Reports as datagrams"):
// a fresh process's first use reaches the helper without a stream
// connection, so no net.Socket, no SO_PEERCRED call and no admission per
// process; native/usesock.cc drains the socket and hands over the batch.
// Each datagram carries its sender's pid, uid and gid as the kernel saw
// them when it was sent (SCM_CREDENTIALS), so it is admitted by the same
// rule as a connection and counted for the same process.
import fs from 'node:fs';
import { logs, type Logger } from '../log.js';
import { listenUses, type Closable, type UseDatagram } from '../native.js';
import { useSocketPath } from '../paths.js';
import { isNotification, type Request } from '../wire/messages.js';
import { decodeRequest } from '../wire/requests.js';
import { admits, describeAllow, type AllowList } from './admission.js';
import type { Handler } from './connection.js';
import type { SocketAccess } from './listener.js';

/** A refused uid is logged at most this often, as on the stream socket. */
const REFUSAL_LOG_EVERY_MS = 10_000;

/**
 * The use socket beside SOCKETPATH, reachable by whom the stream socket is
 * (ACCESS); undefined when the helper serves by group (a datagram carries
 * no supplementary groups, so those programs report on their connections)
 * or it cannot be made (logged). Close it to remove it.
 */
export function listenUseReports(socketPath: string, access: SocketAccess, allow: AllowList, handler: Handler, log: Logger): Closable | undefined {
  if (allow.gids.length > 0) return undefined;
  const path = useSocketPath(socketPath);
  const refused = new Map<number, number>();
  const onReports = (reports: UseDatagram[]) => {
    for (const [pid, uid, gid, frame] of reports) received(pid, uid, gid, frame);
  };
  const received = (pid: number, uid: number, gid: number, frame: Buffer) => {
    // pid 0: a sender in a pid namespace the helper cannot see; its uses could not be given back.
    if (pid <= 0 || !admits(allow, { pid, uid, gid }, () => [])) return refuse(pid, uid);
    const req = decoded(frame);
    if (!req) return log.debug(`dropped a datagram from pid ${pid} that is not a well-formed USE or RELEASE`);
    const caller = { pid, uid };
    handler.admitted(caller);
    handler.notified(req, caller);
  };
  const refuse = (pid: number, uid: number) => {
    const now = Date.now();
    if (now - (refused.get(uid) ?? -Infinity) < REFUSAL_LOG_EVERY_MS) return;
    refused.set(uid, now);
    log.warn(`refused a use report of uid ${uid} (pid ${pid}): this helper serves ${describeAllow(allow)}`);
  };
  try {
    // The helper owns the socket's path now (listener.ts): a file left here is a dead helper's.
    fs.rmSync(path, { force: true });
    const listener = listenUses(path, access === 'own' ? 0o600 : 0o666, onReports);
    if (logs(log, 'debug')) log.debug(`use reports on ${path}`);
    return {
      close: () => {
        listener.close();
        fs.rmSync(path, { force: true });
      },
    };
  } catch (err) {
    log.warn(`cannot open the use socket ${path} (programs report uses on their connections instead): ${(err as Error).message}`);
    return undefined;
  }
}

function decoded(frame: Buffer): Request | undefined {
  try {
    const req = decodeRequest(frame);
    return isNotification(req) ? req : undefined;
  } catch {
    return undefined;
  }
}
