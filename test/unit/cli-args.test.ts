import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { CliError } from '../../src/exit-codes.js';

const spec = { values: ['--network', '--log-level'], flags: ['--trace'] };

describe('parseArgs', () => {
  it('stops at -- and keeps the command whole', () => {
    const r = parseArgs(['--network', 'ipv6-only', '--', 'nc', '-l', '--network'], spec);
    expect(r.options.get('--network')).toBe('ipv6-only');
    expect(r.rest).toEqual(['nc', '-l', '--network']);
  });
  it('stops at the first word that is not an option', () => {
    const r = parseArgs(['--log-level=info', 'curl', '-4', 'http://x/'], spec);
    expect(r.options.get('--log-level')).toBe('info');
    expect(r.rest).toEqual(['curl', '-4', 'http://x/']);
  });
  it('rejects unknown options, missing values and values on switches', () => {
    expect(() => parseArgs(['--nope'], spec)).toThrow(CliError);
    expect(() => parseArgs(['--network'], spec)).toThrow(/needs a value/);
    expect(() => parseArgs(['--trace=1'], spec)).toThrow(/takes no value/);
  });
});
