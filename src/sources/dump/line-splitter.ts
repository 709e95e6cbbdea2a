/**
 * Split a byte stream into lines (without the `\n`) as chunks arrive, holding only the line that is
 * not finished yet: memory stays constant however long the stream is.
 *
 * @example
 * const lines = new LineSplitter((line) => count++);
 * for await (const chunk of stream) lines.push(chunk);
 * lines.end();
 */
export class LineSplitter {
  private pending: Buffer[] = [];

  constructor(private readonly onLine: (line: Buffer) => void) {}

  /** Feed the next chunk; `onLine` is called for every line it completes. */
  public push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      if (this.pending.length > 0) {
        this.pending.push(piece);
        const line = Buffer.concat(this.pending);
        this.pending = [];
        this.onLine(line);
      } else {
        this.onLine(piece);
      }
      start = newline + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  /** The stream ended: a last line without `\n` is passed on. */
  public end(): void {
    if (this.pending.length === 0) return;
    const line = Buffer.concat(this.pending);
    this.pending = [];
    this.onLine(line);
  }
}
