// A throwaway npm registry on 127.0.0.1 that serves the package's runtime
// dependencies, packed from the checkout's node_modules at the versions
// package-lock.json pins: installing the packed bia then needs neither the
// outside network nor anybody's npm cache (an install test once passed or
// failed on what the developer's cache happened to hold).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalRegistry {
  url: string;
  stop(): void;
}

interface LockEntry {
  version: string;
  dev?: boolean;
  link?: boolean;
}

interface Packed {
  filename: string;
  integrity: string;
  shasum: string;
}

/** The runtime dependencies' directories under node_modules (nested ones too), from the lock. */
function runtimeDependencies(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return Object.entries(lock.packages)
    .filter(([path, e]) => path.startsWith('node_modules/') && !e.dev && !e.link)
    .map(([path]) => join(root, path));
}

/** Packs each dependency into DIR/tarballs and writes its registry document into DIR/packuments. */
function populate(root: string, dir: string): void {
  const deps = runtimeDependencies(root);
  mkdirSync(join(dir, 'tarballs'), { recursive: true });
  mkdirSync(join(dir, 'packuments'), { recursive: true });
  const r = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', join(dir, 'tarballs'), ...deps], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack of the dependencies failed:\n${r.stderr}`);
  const packed = JSON.parse(r.stdout) as Packed[];
  const docs = new Map<string, { name: string; 'dist-tags': { latest: string }; versions: Record<string, unknown> }>();
  deps.forEach((depDir, i) => {
    const manifest = JSON.parse(readFileSync(join(depDir, 'package.json'), 'utf8')) as { name: string; version: string };
    const { filename, integrity, shasum } = packed[i];
    const doc = docs.get(manifest.name) ?? { name: manifest.name, 'dist-tags': { latest: manifest.version }, versions: {} };
    doc.versions[manifest.version] = { ...manifest, dist: { tarball: `@@REGISTRY@@/-/${filename}`, integrity, shasum } };
    docs.set(manifest.name, doc);
  });
  for (const [name, doc] of docs) writeFileSync(join(dir, 'packuments', `${name.replace('/', '__')}.json`), JSON.stringify(doc));
}

/** Starts a registry in DIR serving ROOT's runtime dependencies; stop() ends it. */
export async function startLocalRegistry(root: string, dir: string): Promise<LocalRegistry> {
  populate(root, dir);
  const child = spawn(process.execPath, [fileURLToPath(new URL('registry-server.mjs', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the local registry exited (${code})`)));
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}
