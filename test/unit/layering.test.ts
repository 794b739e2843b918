// The layers of src/ as docs/architecture.md ("Layers of `src/`") draws
// them: every import in src/**/*.ts is one its folder's row allows, so a
// lower layer never comes to depend on a higher one again. The imports are
// read by TypeScript's own scanner (static, re-exports and import()).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const src = join(root, 'src');
const SHARED = 'src/*.ts';

/** The table's rows: a folder ("helper/", or SHARED) and the folders it may import. */
function table(): Map<string, string[]> {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Layers of `src/`')) ?? '';
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 3 || !cells[0].startsWith('`')) continue;
    rows.set(cells[0].slice(1, -1), [...cells[2].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  }
  return rows;
}

// The layer of a path: its folder under src/, SHARED for src/*.ts, or the path itself when it is outside src/.
function layerOf(path: string): string {
  const rel = relative(src, path);
  if (rel.startsWith('..')) return relative(root, path);
  const parts = rel.split('/');
  return parts.length > 1 ? `${parts[0]}/` : SHARED;
}

const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(src, f));

/** Every import of a module of this tree, from file to file (".js" as the sources name them). */
const imports = sources.flatMap((file) =>
  ts
    .preProcessFile(readFileSync(file, 'utf8'), true, true)
    .importedFiles.map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => ({ from: file, to: resolve(dirname(file), name) })),
);

describe('the layers of src/', () => {
  const rows = table();

  it('has a row for every folder of src/', () => {
    expect(rows.size).toBeGreaterThan(1);
    const layers = new Set(sources.map(layerOf));
    expect([...layers].filter((l) => !rows.has(l))).toEqual([]);
  });

  it('lets no two folders import each other, however indirectly', () => {
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (rows.get(from) ?? []).some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    expect([...rows.keys()].filter((layer) => reaches(layer, layer))).toEqual([]);
  });

  it('holds every import in src/ to its row', () => {
    expect(imports.length).toBeGreaterThan(100);
    const wrong = imports
      .filter(({ from, to }) => layerOf(from) !== layerOf(to) && !(rows.get(layerOf(from)) ?? []).includes(layerOf(to)))
      .map(({ from, to }) => `${relative(src, from)} imports ${relative(src, to)}: ${layerOf(from)} may import ${(rows.get(layerOf(from)) ?? []).join(', ') || 'nothing'}`);
    expect(wrong).toEqual([]);
  });
});
