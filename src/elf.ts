// Just enough of an ELF file to tell whether ld.so will preload bia into
// it: word size, machine, the program interpreter (PT_INTERP; none means
// statically linked) and the section names (Go leaves .go.buildinfo).
// Little-endian files only, which covers every Linux target bia builds for.
import { readFileSync } from 'node:fs';

export interface ElfInfo {
  bits: 32 | 64;
  machine: number;
  /** The dynamic loader the program asks for; undefined: statically linked. */
  interpreter?: string;
  sections: string[];
}

const PT_INTERP = 3;

/** ELF facts about FILE, or undefined when it is not a little-endian ELF file. */
export function readElf(file: string): ElfInfo | undefined {
  const buf = readFileSync(file);
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[5] !== 1) return undefined;
  const bits = buf[4] === 2 ? 64 : 32;
  const word = (at: number): number => (bits === 64 ? Number(buf.readBigUInt64LE(at)) : buf.readUInt32LE(at));
  const h = bits === 64 ? { phoff: 32, shoff: 40, phentsize: 54 } : { phoff: 28, shoff: 32, phentsize: 42 };
  // e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx follow each other.
  const half = (i: number): number => buf.readUInt16LE(h.phentsize + 2 * i);
  const header = { phoff: word(h.phoff), shoff: word(h.shoff), phentsize: half(0), phnum: half(1), shentsize: half(2), shnum: half(3), shstrndx: half(4) };
  return { bits, machine: buf.readUInt16LE(18), interpreter: interpreter(buf, bits, word, header), sections: sectionNames(buf, bits, word, header) };
}

type Word = (at: number) => number;
interface Header {
  phoff: number;
  shoff: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

function interpreter(buf: Buffer, bits: number, word: Word, h: Header): string | undefined {
  for (let i = 0; i < h.phnum; i++) {
    const ph = h.phoff + i * h.phentsize;
    if (ph + h.phentsize > buf.length || buf.readUInt32LE(ph) !== PT_INTERP) continue;
    const [offset, size] = bits === 64 ? [word(ph + 8), word(ph + 32)] : [word(ph + 4), word(ph + 16)];
    return buf.subarray(offset, offset + size).toString('latin1').replace(/\0.*$/s, '');
  }
  return undefined;
}

// Stripped binaries may have no section headers: then no names, which only
// means the Go check cannot tell.
function sectionNames(buf: Buffer, bits: number, word: Word, h: Header): string[] {
  if (!h.shoff || h.shstrndx >= h.shnum || h.shoff + h.shnum * h.shentsize > buf.length) return [];
  const strtab = h.shoff + h.shstrndx * h.shentsize;
  const strOff = word(strtab + (bits === 64 ? 24 : 16)); // sh_offset of the section-name table
  const names: string[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const start = strOff + buf.readUInt32LE(h.shoff + i * h.shentsize);
    names.push(buf.subarray(start, buf.indexOf(0, start)).toString('latin1'));
  }
  return names;
}
