// State file lines as helpers before format 3 wrote them (formats 1 and 2:
// the first 8 hex digits of the SHA-256 of the JSON), for the tests that an
// upgraded helper still reads them.
import crypto from 'node:crypto';

export function sha256Line(record: object): string {
  const json = JSON.stringify(record);
  return `${crypto.createHash('sha256').update(json).digest('hex').slice(0, 8)} ${json}\n`;
}
