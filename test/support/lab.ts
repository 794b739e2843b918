// Whether this machine can build the namespace lab. Outside CI a developer
// without the tools gets skipped e2e tests and the reason; CI must run them.
import { labUnavailable } from '../../src/lab/lab.js';

export const labMissing = labUnavailable();
if (labMissing && process.env.CI) throw new Error(`CI must run the e2e tests, but: ${labMissing}`);
