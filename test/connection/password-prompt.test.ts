import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { defaultPasswordPrompt } from '../../src/connection/password-prompt';

const root = join(__dirname, '..', '..');

/** Runs a node child on a pseudo-terminal, waits for the prompt, types `keys`, and returns all the terminal showed. */
const PTY_DRIVER = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
deadline = time.time() + 50
while b'Password for user app: ' not in out and time.time() < deadline:
    out += os.read(fd, 1024)
time.sleep(0.2)
os.write(fd, sys.stdin.buffer.read())
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
`;

function typeAtPrompt(keys: string): string {
  const script = `require(${JSON.stringify(join(root, 'src', 'connection', 'password-prompt'))}).ttyPasswordPrompt('Password for user app: ')
    .then((p) => console.log('GOT[' + p + ']'), (e) => console.log('FAILED ' + e.constructor.name));`;
  const result = spawnSync('python3', ['-c', PTY_DRIVER, process.execPath, '-r', 'ts-node/register', '-e', script], {
    cwd: root,
    input: keys,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TS_NODE_PROJECT: join(root, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1' },
  });
  return result.stdout.replace(/\r/g, '');
}

describe('the password prompt', () => {
  test('asks on the terminal, never echoes what is typed, and edits with backspace', () => {
    const screen = typeAtPrompt('s3x\x7f cret!\r');
    expect(screen).toBe('Password for user app: \nGOT[s3 cret!]\n');
  });

  test('Ctrl-C cancels the prompt as an abort', () => {
    expect(typeAtPrompt('abc\x03')).toBe('Password for user app: \nFAILED AbortedError\n');
  });

  test('prompts only when stdin is a terminal, as psql does', () => {
    expect(defaultPasswordPrompt({ isTTY: true })).toEqual(expect.any(Function));
    expect(defaultPasswordPrompt({ isTTY: false })).toBeUndefined();
    expect(defaultPasswordPrompt({})).toBeUndefined();
  });
});
