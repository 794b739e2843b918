// The server of local-registry.ts, in a process of its own so that it
// answers while the test waits in spawnSync: GET /<name> is the package's
// document (packuments/, tarball URLs rebased on this server), GET
// /-/<file> a tarball. Prints its port, then serves until killed.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';

const dir = process.argv[2];
const server = createServer((req, res) => {
  const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
  const base = `http://127.0.0.1:${server.address().port}`;
  const tarball = join(dir, 'tarballs', basename(name));
  const doc = join(dir, 'packuments', `${name.replace('/', '__')}.json`);
  if (name.startsWith('-/') && existsSync(tarball)) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(tarball).pipe(res);
  } else if (existsSync(doc)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(readFileSync(doc, 'utf8').replaceAll('@@REGISTRY@@', base));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  }
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
