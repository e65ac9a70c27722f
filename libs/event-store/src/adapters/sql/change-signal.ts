/**
 * Wakes idle subscriptions when something was appended: on the database's NOTIFY (appends from any
 * process) and directly after this process's own batches commit. One LISTEN per store, shared by
 * all its subscriptions, held only while at least one subscription is open. A lost notification
 * only delays a subscriber until its next poll, so failing to LISTEN is not fatal either.
 */
const RELISTEN_AFTER_MS = 5_000;

export class ChangeSignal {
  private version = 0;
  private readonly waiters = new Set<() => void>();
  private users = 0;
  private registration: Promise<(() => Promise<void>) | undefined> | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;

  constructor(private readonly listen: (onNotify: () => void) => Promise<() => Promise<void>>) {}

  /** Changes every time the signal fires; compare before reading and before waiting. */
  get current(): number {
    return this.version;
  }

  fire(): void {
    this.version += 1;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  acquire(): void {
    this.users += 1;
    this.ensureListening();
  }

  async release(): Promise<void> {
    this.users -= 1;
    if (this.users > 0) return;
    const registration = this.registration;
    this.registration = undefined;
    this.lastAttempt = Number.NEGATIVE_INFINITY;
    const unlisten = await registration;
    await unlisten?.().catch(() => undefined);
  }

  /**
   * Resolves when the signal fired since `since` (at once if it already has), after `timeoutMs`, or
   * when `abort` is aborted — whichever comes first.
   */
  wait(since: number, timeoutMs: number, abort: AbortSignal): Promise<void> {
    this.ensureListening();
    if (this.version !== since || abort.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        abort.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      abort.addEventListener('abort', done, { once: true });
    });
  }

  private ensureListening(): void {
    if (this.users === 0 || this.registration !== undefined) return;
    const now = Date.now();
    if (now - this.lastAttempt < RELISTEN_AFTER_MS) return;
    this.lastAttempt = now;
    const registration: Promise<(() => Promise<void>) | undefined> = this.listen(() => this.fire()).catch(() => {
      // Polling still works; try to LISTEN again on a later wait.
      if (this.registration === registration) this.registration = undefined;
      return undefined;
    });
    this.registration = registration;
  }
}
