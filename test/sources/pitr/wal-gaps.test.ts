import { firstWalGap } from '../../../src/sources/pitr/wal-gaps';

const seg = (timeline: number, log: number, n: number) =>
  [timeline, log, n].map((x) => x.toString(16).toUpperCase().padStart(8, '0')).join('');

describe('firstWalGap', () => {
  test('names the first segment missing between two archived ones, from the start segment on', () => {
    const segments = [seg(1, 0, 1), seg(1, 0, 2), seg(1, 0, 3), seg(1, 0, 5), seg(1, 0, 6), seg(1, 0, 9)];
    expect(firstWalGap({ segments, from: seg(1, 0, 2) })).toEqual({ missing: seg(1, 0, 4), before: seg(1, 0, 3), after: seg(1, 0, 5) });
    // Segments before the start do not count, nor does an archive that starts later than the start (the backup holds those).
    expect(firstWalGap({ segments: [seg(1, 0, 1), seg(1, 0, 7), seg(1, 0, 8)], from: seg(1, 0, 3) })).toBeUndefined();
    expect(firstWalGap({ segments: [seg(1, 0, 2), seg(1, 0, 3)], from: seg(1, 0, 2) })).toBeUndefined();
  });

  test('crosses log file numbers by the segment size: 256 segments of 16 MiB per log, 16 of 256 MiB', () => {
    expect(firstWalGap({ segments: [seg(1, 0, 0xfe), seg(1, 0, 0xff), seg(1, 1, 0)], from: seg(1, 0, 0xfe) })).toBeUndefined();
    expect(firstWalGap({ segments: [seg(1, 0, 0xff), seg(1, 1, 1)], from: seg(1, 0, 0xff) }))
      .toEqual({ missing: seg(1, 1, 0), before: seg(1, 0, 0xff), after: seg(1, 1, 1) });
    expect(firstWalGap({ segments: [seg(1, 0, 0xf), seg(1, 1, 0)], from: seg(1, 0, 0xf), segmentBytes: 256 * 2 ** 20 })).toBeUndefined();
    const big = 256 * 2 ** 20;
    expect(firstWalGap({ segments: [seg(1, 0, 0xe), seg(1, 1, 0)], from: seg(1, 0, 0xe), segmentBytes: big })?.missing).toBe(seg(1, 0, 0xf));
  });

  test('a later timeline: the old one ends early on purpose, so no hole is reported', () => {
    expect(firstWalGap({ segments: [seg(1, 0, 2), seg(1, 0, 4), seg(2, 0, 4)], from: seg(1, 0, 2) })).toBeUndefined();
  });
});
