/**
 * What a server log says about a failure, on one line: its last FATAL/PANIC lines, or its last
 * three lines when it has none.
 *
 * @example
 * serverLogSummary(readFileSync(cluster.logFile, 'utf8')); // '… FATAL:  could not bind IPv4 address …'
 */
export function serverLogSummary(log: string): string {
  const lines = log.trim().split('\n').filter((l) => l.trim());
  const fatal = lines.filter((l) => /\b(FATAL|PANIC):/.test(l));
  return (fatal.length > 0 ? fatal.slice(-2) : lines.slice(-3)).join(' | ');
}
