// The FTP ALG's line rewrites (preload/core/ftp/ftpline.c) through a C
// driver (test/c/ftpline_driver.c): what is rewritten, what is left
// alone (lines split across buffers, bad numbers, other commands), and
// that received text never grows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
let dir = '';
let driver = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bia-ftpline-'));
  driver = join(dir, 'ftpline_driver');
  execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', '-I', join(root, 'preload/core'), join(root, 'preload/core/ftp/ftpline.c'), join(root, 'test/c/ftpline_driver.c'), '-o', driver]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], input: string): string => execFileSync(driver, args, { input }).toString('latin1');
const out = (input: string): string => run(['out', '2001:db8:1::1'], input);
const out4 = (input: string): string => run(['out4', '198.51.100.1'], input);
const replies = (input: string): string => run(['replies', '198.18.0.1'], input);
const commandsIn = (input: string): string => run(['in'], input);

describe('an IPv4 client\'s commands to an IPv6 server', () => {
  it('PORT and EPRT |1| become EPRT |2| with the local IPv6 address and the same port', () => {
    expect(out('PORT 192,0,0,2,190,131\r\n')).toBe('EPRT |2|2001:db8:1::1|48771|\r\n');
    expect(out('port 10,0,0,1,0,21\n')).toBe('EPRT |2|2001:db8:1::1|21|\r\n');
    expect(out('EPRT |1|198.18.0.2|55477|\r\n')).toBe('EPRT |2|2001:db8:1::1|55477|\r\n');
    expect(out('EPRT !1!198.18.0.2!55477!\r\n')).toBe('EPRT |2|2001:db8:1::1|55477|\r\n');
  });
  it('rewrites each whole line of a buffer and keeps the others', () => {
    expect(out('TYPE I\r\nPORT 1,2,3,4,5,6\r\nRETR f\r\n')).toBe('TYPE I\r\nEPRT |2|2001:db8:1::1|1286|\r\nRETR f\r\n');
  });
  it('leaves a line split across buffers, bad numbers and other commands alone', () => {
    for (const line of ['PORT 1,2,3,4,5,6', 'PORT 1,2,3,4,5,6\r', 'EPRT |1|198.18.0.2|55477|', 'PORT 1,2,3,4,5,256\r\n', 'PORT 1,2,3,4,5\r\n',
      'PORT 1,2,3,4,5,6,7\r\n', 'PORT 1,2,3,4,5,6 x\r\n', 'EPRT |1|198.18.0.256|1|\r\n', 'EPRT |1|198.18.0.2|65536|\r\n',
      'EPRT |2|2001:db8::1|21|\r\n', 'EPRT |1|198.18.0.2|21\r\n', 'PASV\r\n', 'EPSV\r\n', 'USER anonymous\r\n', 'xPORT 1,2,3,4,5,6\r\n']) {
      expect(out(line), line).toBe(line);
    }
  });
});

describe('an IPv6 client\'s commands to an IPv4 server it reaches through a synthesized address', () => {
  it('EPRT |2| becomes EPRT |1| with the local IPv4 address and the same port', () => {
    expect(out4('EPRT |2|::ffff:198.51.100.1|60871|\r\n')).toBe('EPRT |1|198.51.100.1|60871|\r\n');
    expect(out4('TYPE I\r\nEPRT |2|2001:db8::1|21|\r\n')).toBe('TYPE I\r\nEPRT |1|198.51.100.1|21|\r\n');
  });
  it('leaves EPSV, PORT, EPRT |1|, split lines and bad addresses alone', () => {
    for (const line of ['EPSV\r\n', 'PORT 1,2,3,4,5,6\r\n', 'EPRT |1|198.18.0.2|21|\r\n', 'EPRT |2|::1|21|', 'EPRT |2|::zz|21|\r\n', 'EPRT |2|::1|65536|\r\n']) {
      expect(out4(line), line).toBe(line);
    }
  });
});

describe('an IPv6 server\'s replies to an IPv4 client', () => {
  it('a 227 names the stand-in address, padded with spaces to the line\'s length', () => {
    const line = '227 Entering Passive Mode (0,0,0,0,20,79).\r\n';
    expect(replies(line)).toBe(`${'227 (198,18,0,1,20,79)'.padEnd(line.length - 2)}\r\n`);
    const other = '227 Passive =0,0,0,0,1,2 ok\r\n';
    expect(replies(`150 ok\r\n${other}226 done\r\n`)).toBe(`150 ok\r\n${'227 (198,18,0,1,1,2)'.padEnd(other.length - 2)}\r\n226 done\r\n`);
    // No room: the line is left as it was.
    expect(replies('227 (0,0,0,0,1,2)\r\n')).toBe('227 (0,0,0,0,1,2)\r\n');
  });
  it('leaves a split reply, 229 (EPSV) and bad numbers alone', () => {
    for (const line of ['227 Entering Passive Mode (0,0,0,0,20,79).', '229 Entering Extended Passive Mode (|||62594|)\r\n',
      '227 Entering Passive Mode (0,0,0,0,20,799).\r\n', '227 Entering Passive Mode (0,0,0,0,20).\r\n', '227-multi (0,0,0,0,1,2) line\r\n']) {
      expect(replies(line), line).toBe(line);
    }
  });
});

describe('an IPv6 client\'s commands to an IPv4 server', () => {
  it('EPRT |2| becomes PORT naming the stand-in address, given leading zeros to the line\'s length', () => {
    const line = 'EPRT |2|2001:db8::7|49887|\r\n';
    const port = 'PORT 198,18,0,7,194,223\r\n';
    expect(commandsIn(line)).toBe(`PORT ${'0'.repeat(line.length - port.length)}198,18,0,7,194,223\r\n`);
    expect(commandsIn('NOOP\r\nEPRT |2|2001:db8::7|21|\r\n')).toBe('NOOP\r\nPORT 000198,18,0,7,0,21\r\n');
  });
  it('leaves EPSV, an unmapped address, EPRT |1|, split lines and bad ports alone', () => {
    for (const line of ['EPSV\r\n', 'EPRT |2|2001:db8:5::7|21|\r\n', 'EPRT |1|198.18.0.2|21|\r\n', 'EPRT |2|2001:db8::7|21|',
      'EPRT |2|2001:db8::7|70000|\r\n', 'EPRT |2|2001:db8::zz|21|\r\n', 'PORT 1,2,3,4,5,6\r\n']) {
      expect(commandsIn(line), line).toBe(line);
    }
  });
});
