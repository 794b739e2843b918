// A configuration file parsed once and re-parsed only when it changes on
// disk. /etc/resolv.conf is rewritten when a laptop roams, and /etc/hosts is
// edited by hand; stat() on every use is cheap, re-parsing is not needed.
import fs from 'node:fs';

export class WatchedFile<T> {
  private stamp: string | undefined;
  private value: T | undefined;

  constructor(
    readonly path: string,
    private readonly parse: (text: string) => T,
  ) {}

  /** The parsed contents; a new object only when the file changed (a missing file parses as ""). */
  get(): T {
    const stamp = this.currentStamp();
    if (stamp !== this.stamp || this.value === undefined) {
      this.value = this.parse(stamp === 'missing' ? '' : this.read());
      this.stamp = stamp;
    }
    return this.value;
  }

  private currentStamp(): string {
    try {
      const st = fs.statSync(this.path);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private read(): string {
    try {
      return fs.readFileSync(this.path, 'latin1');
    } catch {
      return '';
    }
  }
}
