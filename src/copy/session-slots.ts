import { AbortedError } from '../errors';

/**
 * A budget of target sessions shared by the copy workers and the post-data builds, so that `jobs`
 * bounds the connections a restore opens on the target (plus its one DDL session) while the two
 * overlap: a session is opened only after {@link SessionSlots.take} and its slot given back once it
 * is closed. Waiters are served first come, first served.
 *
 * @example
 * const slots = new SessionSlots(4);
 * await slots.take(signal);
 * const client = await connect(target, 'target');
 * try { … } finally { await client.end(); slots.give(); }
 */
export class SessionSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Wait for a free slot and hold it; rejects with {@link AbortedError} when `signal` aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError();
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(granted), 1);
        reject(new AbortedError());
      };
      const granted = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.push(granted);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Give a slot back: the longest waiter gets it, or it becomes free. */
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
