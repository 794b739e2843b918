// bia --help (help.ts) cut into its parts, for the man page and the shell
// completions generated from it (scripts/gen-man.mjs,
// scripts/gen-completions.mjs): the help text stays the one place a
// command's usage, summary and examples are written.
import { HELP } from './help.js';

export interface UsageEntry {
  /** The command word (run, env, install, ...). */
  command: string;
  /** The usage line(s), without the summary. */
  usage: string;
  summary: string;
}

export interface HelpSections {
  /** The one-line name and what bia does. */
  title: string;
  intro: string;
  usage: UsageEntry[];
  runOptions: string;
  examples: string;
  /** The paragraphs after the examples (which helper, the fast path, exit status). */
  closing: string[];
}

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`bia --help has no ${JSON.stringify(start)} ... ${JSON.stringify(end)}`);
  return text.slice(from + start.length, to);
}

/** Where the summaries start in the usage block: continuation lines this far in carry summary. */
const SUMMARY_COLUMN = 41;

// A line is a usage (a new entry when it starts with `bia COMMAND`), then
// after two or more spaces its summary; lines indented to the summary
// column continue the summary, others the usage.
function usageEntries(block: string): UsageEntry[] {
  const entries: UsageEntry[] = [];
  let last: UsageEntry | undefined;
  for (const line of block.split('\n').filter((l) => l.trim())) {
    const indent = line.length - line.trimStart().length;
    const [left, ...right] = line.trim().split(/ {2,}/);
    if (indent >= SUMMARY_COLUMN && last) {
      last.summary = `${last.summary} ${line.trim()}`.trim();
      continue;
    }
    const command = /^bia ([a-z][\w-]*)/.exec(left)?.[1];
    if (left.startsWith('bia ')) last = command ? { command, usage: left, summary: '' } : undefined;
    else if (last) last.usage += ` ${left}`;
    if (last && right.length) last.summary = right.join(' ');
    if (last && command) entries.push(last);
  }
  return entries;
}

export function helpSections(help = HELP): HelpSections {
  const [title, ...rest] = help.split('\n\n');
  const afterExamples = help.slice(help.indexOf('\nExamples:\n') + 1).split('\n\n');
  return {
    title: title.trim(),
    intro: rest[0].trim(),
    usage: usageEntries(between(help, '\nUsage:\n', '\n\n')),
    runOptions: between(help, '\nOptions of run only:\n', '\n\n'),
    examples: afterExamples[0].replace(/^Examples:\n/, ''),
    closing: afterExamples.slice(1).map((p) => p.trim()).filter(Boolean),
  };
}
