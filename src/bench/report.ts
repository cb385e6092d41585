import type { BenchCase, LoadResult, SystemName } from './scenarios';

/** Every repeat of one case, for both systems. */
export interface CaseResults {
  readonly benchCase: BenchCase;
  readonly runs: Record<SystemName, LoadResult[]>;
}

/** A figure of the table: how to read it from a run, and which way is better. */
interface Figure {
  readonly label: string;
  readonly unit: string;
  readonly read: (result: LoadResult) => number | undefined;
  readonly isHigherBetter?: boolean;
}

const FIGURES: readonly Figure[] = [
  { label: 'p50', unit: 'ms', read: (r) => r.latency?.p50 },
  { label: 'p99', unit: 'ms', read: (r) => r.latency?.p99 },
  { label: 'max', unit: 'ms', read: (r) => r.latency?.max },
  { label: 'CPU per 1k deliveries', unit: 'ms', read: (r) => r.cpuPer1k },
  {
    label: 'CPU per 1k, instances without the users',
    unit: 'ms',
    read: (r) => r.idleInstancesCpuPer1k,
  },
  {
    label: 'share of server CPU in the kernel',
    unit: '',
    read: (r) => r.serverKernelShare,
  },
  {
    label: 'RSS per connection',
    unit: 'KB',
    read: (r) => r.rssPerConnectionKb,
  },
  {
    label: 'connects per second',
    unit: '/s',
    read: (r) => r.connectsPerSecond,
    isHigherBetter: true,
  },
  {
    label: 'connects per server CPU second',
    unit: '/s',
    read: (r) => r.connectsPerCpuSecond,
    isHigherBetter: true,
  },
  {
    label: 'lost',
    unit: '',
    read: (r) => r.expected - r.delivered,
  },
  { label: 'generator CPU', unit: 'core', read: (r) => r.loadCpuShare },
];

/** One row of the report: a figure of a case, both systems' medians, and their ratio. */
export interface ReportRow {
  readonly case: string;
  readonly figure: string;
  readonly adapter: number;
  readonly project: number;
  /** project / adapter: lower is better, but for connects per second. */
  readonly ratio?: number;
}

/** Medians over the repeats, side by side. */
export function reportRows(results: readonly CaseResults[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const { benchCase, runs } of results) {
    for (const figure of FIGURES) {
      const adapter = median(runs.adapter.map(figure.read));
      const project = median(runs.project.map(figure.read));
      if (adapter === undefined || project === undefined) {
        continue;
      }
      if (figure.label === 'generator CPU' || figure.label === 'lost') {
        if (adapter === 0 && project === 0 && figure.label === 'lost') {
          continue;
        }
      }
      rows.push({
        case: benchCase.name,
        figure: figure.unit ? `${figure.label} (${figure.unit})` : figure.label,
        adapter,
        project,
        ratio: adapter > 0 ? round(project / adapter) : undefined,
      });
    }
  }
  return rows;
}

/** The rows as a Markdown table, as the README shows it. */
export function markdownTable(rows: readonly ReportRow[]): string {
  const lines = [
    '| scenario | measure | adapter | this project | ratio |',
    '|---|---|---:|---:|---:|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.case} | ${row.figure} | ${row.adapter} | ${row.project} | ${row.ratio ?? '-'} |`,
    );
  }
  return lines.join('\n');
}

function median(values: readonly (number | undefined)[]): number | undefined {
  const present = values
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  if (present.length === 0) {
    return undefined;
  }
  const middle = Math.floor(present.length / 2);
  return round(
    present.length % 2
      ? present[middle]
      : (present[middle - 1] + present[middle]) / 2,
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
