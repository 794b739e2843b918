// Where bia is installed: the package root, one up from this module (dist/
// when built, src/ when the tests run the sources). The one place that
// computes it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
