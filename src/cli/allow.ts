// `--allow-users` and `--allow-group` of `bia helper --system`: names or
// numbers, looked up once at start through NSS (getent), so that LDAP and
// systemd's dynamic users count as they do for every other program.
import { spawnSync } from 'node:child_process';
import type { AllowList } from '../helper/admission.js';
import { CliError, EXIT_CONFIG } from '../exit-codes.js';

const ID = /^\d+$/;
const MAX_ID = 0xfffffffe; // (uid_t)-1 means "no user"

/** The id of NAME in DATABASE (passwd or group): the third field of its getent line. */
function lookup(database: 'passwd' | 'group', name: string, option: string): number {
  if (ID.test(name)) {
    const id = Number(name);
    if (id <= MAX_ID) return id;
  } else if (/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(name)) {
    const r = spawnSync('getent', [database, name], { encoding: 'utf8' });
    const id = r.status === 0 ? r.stdout.split(':')[2] : undefined;
    if (id !== undefined && ID.test(id)) return Number(id);
  }
  const kind = database === 'passwd' ? 'user' : 'group';
  throw new CliError(`${option} ${name}: no such ${kind} (give a ${kind} name or a number)`, EXIT_CONFIG);
}

function names(value: string | true | undefined): string[] {
  return typeof value === 'string' ? value.split(',').map((n) => n.trim()).filter(Boolean) : [];
}

/** The allow list from the two options; undefined when neither is given. */
export function allowList(users: string | true | undefined, groups: string | true | undefined): AllowList | undefined {
  if (users === undefined && groups === undefined) return undefined;
  return {
    uids: names(users).map((n) => lookup('passwd', n, '--allow-users')),
    gids: names(groups).map((n) => lookup('group', n, '--allow-group')),
  };
}
