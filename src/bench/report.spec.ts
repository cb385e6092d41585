import { describe, expect, it } from '@jest/globals';
import { markdownTable, reportRows } from './report';
import type { BenchCase, LoadResult } from './scenarios';

const benchCase: BenchCase = {
  name: 'rooms',
  instances: 4,
  anchors: ['adapter', 'sharded'],
  scenario: {
    kind: 'rooms',
    rate: 1_000,
    durationMs: 1_000,
    rooms: 10,
    members: 2,
    holders: [0, 1],
  },
};

const run = (p50: number, cpuPer1k: number): LoadResult => ({
  latency: { p50, p99: p50 * 2, max: p50 * 3 },
  delivered: 100,
  expected: 100,
  serverCpuMs: [],
  cpuPer1k,
  loadCpuShare: 0.5,
});

describe('the bench report', () => {
  it('takes the median of each system and a ratio to each anchor', () => {
    const rows = reportRows([
      {
        benchCase,
        runs: {
          adapter: [run(2, 40), run(4, 50), run(3, 60)],
          sharded: [run(1, 20)],
          project: [run(1.5, 25), run(1.5, 30)],
        },
      },
    ]);
    const p50 = rows.find((row) => row.figure === 'p50 (ms)');
    expect(p50).toEqual({
      case: 'rooms',
      figure: 'p50 (ms)',
      values: { adapter: 3, sharded: 1, project: 1.5 },
      ratios: { adapter: 0.5, sharded: 1.5 },
    });
    // Nothing lost anywhere: no row for it.
    expect(rows.some((row) => row.figure === 'lost')).toBe(false);
    const table = markdownTable(rows).split('\n');
    expect(table[0]).toBe(
      '| scenario | measure | adapter | sharded adapter | this project | ratio to adapter | ratio to sharded adapter |',
    );
    expect(table).toContain('| rooms | p50 (ms) | 3 | 1 | 1.5 | 0.5 | 1.5 |');
    expect(table).toContain(
      '| rooms | CPU per 1k deliveries (ms) | 50 | 20 | 27.5 | 0.55 | 1.38 |',
    );
  });

  it('keeps one ratio column when every case has one anchor', () => {
    const rows = reportRows([
      {
        benchCase: { ...benchCase, anchors: undefined },
        runs: { adapter: [run(2, 40)], project: [run(1, 40)] },
      },
    ]);
    const table = markdownTable(rows).split('\n');
    expect(table[0]).toBe(
      '| scenario | measure | adapter | this project | ratio |',
    );
    expect(table).toContain('| rooms | p50 (ms) | 2 | 1 | 0.5 |');
  });
});
