/** The database primary moved from one node to another, as seen in a status reading. */
export interface PrimaryChange {
  at: string;
  from: string;
  to: string;
}

const KEEP_MS = 60 * 60_000;

/**
 * Remembers which node was primary at each reading and when that changed, so the traffic
 * charts can mark a failover. Readings only happen while /status is read, so a change is
 * dated to the first reading that saw it; "no primary" (mid-failover) is not a change.
 */
export class PrimaryChanges {
  #current: string | undefined;
  readonly #changes: PrimaryChange[] = [];

  observe(primary: string | undefined, now = Date.now()): void {
    if (primary === undefined) return;
    if (this.#current !== undefined && this.#current !== primary) {
      this.#changes.push({ at: new Date(now).toISOString(), from: this.#current, to: primary });
    }
    this.#current = primary;
  }

  /** The changes of the last hour, oldest first. */
  recent(now = Date.now()): PrimaryChange[] {
    while (this.#changes.length && Date.parse(this.#changes[0]!.at) < now - KEEP_MS) this.#changes.shift();
    return [...this.#changes];
  }
}
