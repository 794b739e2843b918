// Both halves of the helper protocol against the same vectors
// (test/vectors/protocol.json): the TypeScript codec directly, the C codec
// through a small driver compiled from preload/core/client/protocol.c.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/wire/frames.js';
import { MsgType, ProtocolError } from '../../src/wire/messages.js';
import { decodeReply, encodeReply } from '../../src/wire/replies.js';
import { decodeRequest, encodeRequest } from '../../src/wire/requests.js';

// decodeOnly: a frame an older peer sends, which the current encoder no longer makes.
interface Vector { name: string; hex: string; message: any; text: string; decodeOnly?: boolean }
const vectors = JSON.parse(readFileSync(new URL('../vectors/protocol.json', import.meta.url), 'utf8')) as {
  requests: Vector[];
  replies: Vector[];
  malformed_requests: { name: string; hex: string }[];
  malformed_replies: { name: string; hex: string }[];
  status_messages: { requests: Vector[]; replies: Vector[]; malformed_replies: { name: string; hex: string }[] };
};
const root = new URL('../..', import.meta.url).pathname;

describe('TypeScript codec', () => {
  it.each(vectors.requests)('decodes request: $name', (v) => {
    expect(decodeRequest(Buffer.from(v.hex, 'hex'))).toEqual(v.message);
  });
  it.each(vectors.requests)('encodes request: $name', (v) => {
    expect(encodeRequest(v.message).toString('hex')).toBe(v.hex);
  });
  it.each(vectors.replies.filter((v) => !v.decodeOnly))('encodes reply: $name', (v) => {
    expect(encodeReply(v.message).toString('hex')).toBe(v.hex);
  });
  it.each(vectors.replies)('decodes reply: $name', (v) => {
    expect(decodeReply(Buffer.from(v.hex, 'hex'))).toEqual(v.message);
  });
  it.each(vectors.malformed_requests)('rejects request: $name', (v) => {
    expect(() => decodeRequest(Buffer.from(v.hex, 'hex'))).toThrow(ProtocolError);
  });
  it.each(vectors.malformed_replies)('rejects reply: $name', (v) => {
    expect(() => decodeReply(Buffer.from(v.hex, 'hex'))).toThrow(ProtocolError);
  });
});

describe('TypeScript codec, TABLE and NAT64 (bia status only)', () => {
  const t = vectors.status_messages;
  it.each(t.requests)('round-trips request: $name', (v) => {
    expect(decodeRequest(Buffer.from(v.hex, 'hex'))).toEqual(v.message);
    expect(encodeRequest(v.message).toString('hex')).toBe(v.hex);
  });
  it.each(t.replies)('round-trips reply: $name', (v) => {
    expect(decodeReply(Buffer.from(v.hex, 'hex'))).toEqual(v.message);
    expect(encodeReply(v.message).toString('hex')).toBe(v.hex);
  });
  it.each(t.malformed_replies)('rejects reply: $name', (v) => {
    expect(() => decodeReply(Buffer.from(v.hex, 'hex'))).toThrow(ProtocolError);
  });
  it('refuses to encode a USE without addresses', () => {
    expect(() => encodeRequest({ type: MsgType.Use, id: 0, v4s: [] })).toThrow(ProtocolError);
  });
});

describe('FrameReader', () => {
  const hello = encodeRequest({ type: MsgType.Hello, id: 9 });
  it('reassembles frames split at every byte', () => {
    const r = new FrameReader();
    const stream = Buffer.concat([hello, hello]);
    const got: Buffer[] = [];
    for (const byte of stream) got.push(...r.push(Buffer.from([byte])));
    expect(got.map((b) => b.toString('hex'))).toEqual([hello.toString('hex'), hello.toString('hex')]);
    expect(r.buffered).toBe(0);
  });
  it('rejects an oversized length prefix before buffering the body', () => {
    expect(() => new FrameReader().push(Buffer.from('7fffffff', 'hex'))).toThrow(ProtocolError);
  });
});

describe('C codec', () => {
  let driver = '';
  beforeAll(() => {
    driver = join(mkdtempSync(join(tmpdir(), 'bia-vectors-')), 'protocol_vectors');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', '-I', join(root, 'preload/include'), join(root, 'preload/core/client/protocol.c'), join(root, 'test/c/protocol_vectors.c'), '-o', driver]);
  });
  const run = (lines: string[]): string[] => execFileSync(driver, { input: lines.join('\n') + '\n' }).toString().trimEnd().split('\n');
  const encodeLine = (m: any): string => {
    switch (m.type as MsgType) {
      case MsgType.Hello: return `encode HELLO ${m.id}`;
      case MsgType.Resolve: return `encode RESOLVE ${m.id} ${m.family} ${m.name}`;
      case MsgType.Map4: return `encode MAP4 ${m.id} ${m.v4}`;
      case MsgType.Name4: return `encode NAME4 ${m.id} ${m.v4}`;
      case MsgType.Synth: return `encode SYNTH ${m.id} ${m.v4}`;
      case MsgType.Use: return `encode USE ${m.id} ${m.v4s.join(',')}`;
      case MsgType.Release: return `encode RELEASE ${m.id} ${m.v4s.join(',')}`;
      default: return `encode MAP6 ${m.id} ${m.v6}`;
    }
  };

  it('encodes every request vector', () => {
    expect(run(vectors.requests.map((v) => encodeLine(v.message)))).toEqual(vectors.requests.map((v) => v.hex));
  });
  it('decodes every reply vector', () => {
    expect(run(vectors.replies.map((v) => `decode ${v.hex}`))).toEqual(vectors.replies.map((v) => v.text));
  });
  it('rejects every malformed reply', () => {
    const out = run(vectors.malformed_replies.map((v) => `decode ${v.hex}`));
    out.forEach((line, i) => expect(line, vectors.malformed_replies[i].name).toMatch(/^ERROR /));
  });
  it('rejects the replies only bia status asks for (TABLE, NAT64)', () => {
    const replies = vectors.status_messages.replies;
    const out = run(replies.map((v) => `decode ${v.hex}`));
    out.forEach((line, i) => expect(line, replies[i].name).toMatch(/^ERROR .*never asks for/));
  });
});
