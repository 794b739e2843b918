// `bia doctor [--json] [CMD...]`: what will and will not work here, and
// for each CMD, each problem with a plain fix. Exits 1 when something will
// not work.
import { parseArgs } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig } from '../config/effective.js';
import type { Finding } from '../doctor/finding.js';
import { checkProgram, type LibraryInfo } from '../doctor/program.js';
import { libraryInfo, socketDirFinding } from '../doctor/system.js';
import { helperFindings } from './helper-findings.js';
import { EXIT_PROBLEMS } from '../exit-codes.js';
import { helperState, type HelperState } from './helper-state.js';
import { helperStaleness } from './helper-age.js';
import { nat64Status } from './nat64-status.js';
import { helperTarget, locateHelper, type HelperTarget } from './ensure-helper.js';
import { UntrustedSocketError } from '../socket-trust.js';
import { preloadLibrary } from '../preload-path.js';

const MARK: Record<Finding['level'], string> = { ok: 'ok     ', note: 'note   ', problem: 'PROBLEM' };

export async function doctor(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, optionSpec('doctor'));
  const { config, sources } = effectiveConfig(options);
  const library = preloadLibrary();
  const info = library ? libraryInfo(library) : undefined;
  const findings: Finding[] = [libraryFinding(library, info), ...(await helperChecks(helperTarget(config, sources.socket)))];
  const programs = info ? rest.map((cmd) => ({ program: cmd, findings: checkProgram(cmd, info) })) : [];
  const problems = [...findings, ...programs.flatMap((p) => p.findings)].some((f) => f.level === 'problem');
  const out = options.has('--json') ? JSON.stringify({ problems, findings, programs }, null, 2) + '\n' : [...findings, ...programs.flatMap((p) => p.findings)].map(line).join('');
  process.stdout.write(out);
  return problems ? EXIT_PROBLEMS : 0;
}

// A socket bia refuses is the one finding about the helper: nothing is asked on it.
async function helperChecks(target: HelperTarget): Promise<Finding[]> {
  try {
    const { socketPath: socket, shared } = await locateHelper(target);
    const helper = await helperState(socket);
    const nat64 = helper.running ? await nat64Status(socket).catch((err: Error) => err) : undefined;
    // A shared helper's directory is root's (socket-trust.ts checked it).
    return [...helperFindings(helper, socket, nat64), ...staleFinding(helper, shared), ...(shared ? [] : [socketDirFinding(socket)])];
  } catch (err) {
    if (!(err instanceof UntrustedSocketError)) throw err;
    return [{ level: 'problem', what: `helper: ${err.message}` }];
  }
}

function staleFinding(helper: HelperState, shared: boolean): Finding[] {
  const stale = helper.running ? helperStaleness(helper.peer.pid, shared, helper.peer.activated) : undefined;
  return stale ? [{ level: 'note', what: stale.what, fix: `restart it: ${stale.fix}` }] : [];
}

function libraryFinding(library: string | undefined, info: LibraryInfo | undefined): Finding {
  if (!library) return { level: 'problem', what: 'preload library: not built', fix: 'run npm install (or npm run build) in the bia package; it needs a C compiler' };
  if (!info) return { level: 'problem', what: `preload library ${library} is not a readable ELF file`, fix: 'rebuild it: npm run build in the bia package' };
  return { level: 'ok', what: `preload library: ${library} (${info.elf.bits}-bit, ${info.libc})` };
}

function line(f: Finding): string {
  return `${MARK[f.level]} ${f.what}\n${f.fix ? `        fix: ${f.fix}\n` : ''}`;
}
