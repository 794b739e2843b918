import { describe, expect, it } from 'vitest';
import { SynthFormat } from '../../src/wire/messages.js';
import { Synthesizer } from '../../src/helper/synth.js';
import { synthParams } from '../../src/mapping/synth-format.js';

describe('synthesized IPv6 addresses', () => {
  it('mapped (the default): ::ffff:a.b.c.d, and nothing else is one', () => {
    const s = new Synthesizer();
    expect(s.toV6('198.51.100.2')).toBe('::ffff:c633:6402');
    expect(s.toV4('::ffff:198.51.100.2')).toBe('198.51.100.2');
    expect(s.toV4(s.toV6('0.0.0.1')!)).toBe('0.0.0.1');
    expect(s.toV4('2001:db8::c633:6402')).toBeUndefined();
    expect(s.toV4('::c633:6402')).toBeUndefined();
    expect(s.toV4('64:ff9b::c633:6402')).toBeUndefined();
  });

  it('prefix: RFC 6052 64:ff9b::/96 by default, or a configured /96', () => {
    const wkp = new Synthesizer({ format: 'prefix' });
    expect(wkp.toV6('198.51.100.2')).toBe('64:ff9b::c633:6402');
    expect(wkp.toV4('64:ff9b::c633:6402')).toBe('198.51.100.2');
    expect(wkp.toV4('::ffff:198.51.100.2')).toBeUndefined();
    const own = new Synthesizer({ format: 'prefix', prefix: '2001:db8:64::/96' });
    expect(own.toV6('192.0.2.33')).toBe('2001:db8:64::c000:221');
    expect(own.toV4('2001:db8:64:0:1::c000:221')).toBeUndefined();
  });

  it('m46a: prefix | plane ID | IPv4, so two planes with the same IPv4 address stay apart', () => {
    const one = new Synthesizer({ format: 'm46a', prefix: '2001:db8:46::/64', plane: 1 });
    const two = new Synthesizer({ format: 'm46a', prefix: '2001:db8:46::/64', plane: 2 });
    expect(one.toV6('10.0.0.5')).toBe('2001:db8:46::1:a00:5');
    expect(two.toV6('10.0.0.5')).toBe('2001:db8:46::2:a00:5');
    expect(one.toV4('2001:db8:46::1:a00:5')).toBe('10.0.0.5');
    expect(one.toV4('2001:db8:46::2:a00:5')).toBeUndefined();
    expect(one.params).toEqual({ format: SynthFormat.M46a, prefix: '2001:db8:46::', prefixLen: 64, plane: 1 });
  });

  it('pool: addresses handed out in order from the prefix, one per IPv4 address, never reused', () => {
    const s = new Synthesizer({ format: 'pool', prefix: 'fd00:1::/126' });
    expect(s.toV6('198.51.100.2')).toBe('fd00:1::1');
    expect(s.toV6('198.51.100.3')).toBe('fd00:1::2');
    expect(s.toV6('198.51.100.2')).toBe('fd00:1::1');
    expect(s.toV6('198.51.100.4')).toBeUndefined(); // ::3 is the last address of the /126
    expect(s.toV4('fd00:1::2')).toBe('198.51.100.3');
    expect(s.toV4('fd00:1::3')).toBeUndefined();
    expect(s.inPool('fd00:1::3')).toBe(true);
    expect(s.inPool('fd00:2::1')).toBe(false);
  });

  it('rejects parameters that cannot work', () => {
    expect(() => synthParams({ format: 'prefix', prefix: '64:ff9b::/64' })).toThrow(/\/96/);
    expect(() => synthParams({ format: 'm46a', prefix: '2001:db8::/80', plane: 70000 })).toThrow(/plane ID 70000/);
    expect(() => synthParams({ format: 'pool', prefix: 'fd00::/127' })).toThrow(/126/);
    expect(() => synthParams({ format: 'prefix', prefix: '64:ff9b::1/96' })).toThrow(/host bits/);
    expect(() => synthParams({ format: 'prefix', prefix: 'nonsense' })).toThrow(/IPv6 network/);
  });
});
