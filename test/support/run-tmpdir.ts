// vitest globalSetup: every test run gets a temporary directory of its own
// as TMPDIR, removed when the run ends, so that whatever a test (or a
// program it starts) leaves in os.tmpdir() does not outlive the run, even
// when a test fails before its own clean-up. Sticky and world-writable like
// /tmp: tests run programs as other users (nobody) that make files there.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bia-test-run-'));
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
