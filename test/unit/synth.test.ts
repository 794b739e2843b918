import { describe, expect, it } from 'vitest';
import { synthesizedV4, synthesizeV6 } from '../../src/helper/synth.js';

describe('synthesized IPv6 addresses (::ffff:0:0/96)', () => {
  it('round-trips an IPv4 address', () => {
    expect(synthesizeV6('198.51.100.2')).toBe('::ffff:c633:6402');
    expect(synthesizedV4('::ffff:198.51.100.2')).toBe('198.51.100.2');
    expect(synthesizedV4(synthesizeV6('0.0.0.1'))).toBe('0.0.0.1');
  });

  it('recognizes only the mapped prefix', () => {
    expect(synthesizedV4('2001:db8::c633:6402')).toBeUndefined();
    expect(synthesizedV4('::c633:6402')).toBeUndefined();
    expect(synthesizedV4('64:ff9b::c633:6402')).toBeUndefined();
  });
});
