import { openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { AbortedError } from '../errors';

/** Asks the user for a password (`Password for user app: `) and resolves with what they typed. */
export type PasswordPrompt = (question: string) => Promise<string>;

/** What each key typed at the prompt does. */
function typed(so: string, key: string): { text: string; done?: boolean; cancelled?: boolean } {
  if (key === '\r' || key === '\n' || (key === '\x04' && so === '')) return { text: so, done: true };
  if (key === '\x03') return { text: so, cancelled: true };
  if (key === '\x7f' || key === '\b') return { text: so.slice(0, -1) };
  if (key === '\x15') return { text: '' };
  return { text: key < ' ' ? so : so + key };
}

/**
 * Ask on the terminal (`/dev/tty`, like psql) for a password without echoing it: the terminal is put
 * in raw mode while the user types (backspace and Ctrl-U edit, Enter ends, Ctrl-C cancels with an
 * {@link AbortedError}) and restored afterwards.
 *
 * @example
 * const password = await ttyPasswordPrompt('Password for user app: ');
 */
export function ttyPasswordPrompt(question: string, ttyPath = '/dev/tty'): Promise<string> {
  const fd = openSync(ttyPath, 'r+');
  const input = new ReadStream(fd);
  writeSync(fd, question);
  input.setRawMode(true);
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const finish = (outcome: () => void): void => {
      input.setRawMode(false);
      writeSync(fd, '\n');
      input.off('data', onData);
      input.destroy();
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      for (const key of chunk.toString('utf8')) {
        const next = typed(text, key);
        text = next.text;
        if (next.cancelled) return finish(() => reject(new AbortedError('password prompt cancelled')));
        if (next.done) return finish(() => resolve(text));
      }
    };
    input.on('data', onData);
  });
}

/**
 * The prompt connections use when the server asks for a password nobody gave: the terminal prompt
 * when stdin is a terminal (an interactive run), none otherwise (scripts, services, CI), as with psql.
 *
 * @example
 * const prompt = defaultPasswordPrompt(); // ttyPasswordPrompt in a terminal, undefined in a pipeline
 */
export function defaultPasswordPrompt(stdin: { isTTY?: boolean } = process.stdin): PasswordPrompt | undefined {
  return stdin.isTTY ? (question) => ttyPasswordPrompt(question) : undefined;
}
