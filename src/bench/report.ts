import type { BenchCase, LoadResult, SystemName } from './scenarios';

/** Every repeat of one case, for each system it ran on. */
export interface CaseResults {
  readonly benchCase: BenchCase;
  readonly runs: Partial<Record<SystemName, LoadResult[]>>;
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

/** How the table names each system. */
const SYSTEM_LABELS: Record<SystemName, string> = {
  adapter: 'adapter',
  sharded: 'sharded adapter',
  project: 'this project',
};

/** One row of the report: a figure of a case, each system's median, and the ratios. */
export interface ReportRow {
  readonly case: string;
  readonly figure: string;
  readonly values: Partial<Record<SystemName, number>>;
  /** project / anchor, per anchor: lower is better, but for connects per second. */
  readonly ratios: Partial<Record<SystemName, number>>;
}

/** Medians over the repeats, side by side. */
export function reportRows(results: readonly CaseResults[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const { benchCase, runs } of results) {
    const systems = Object.keys(runs) as SystemName[];
    for (const figure of FIGURES) {
      const values: Partial<Record<SystemName, number>> = {};
      for (const system of systems) {
        const value = median((runs[system] ?? []).map(figure.read));
        if (value !== undefined) {
          values[system] = value;
        }
      }
      const { project } = values;
      if (project === undefined || Object.keys(values).length < 2) {
        continue;
      }
      if (
        figure.label === 'lost' &&
        Object.values(values).every((value) => value === 0)
      ) {
        continue;
      }
      const ratios: Partial<Record<SystemName, number>> = {};
      for (const system of systems) {
        const anchor = values[system];
        if (system !== 'project' && anchor !== undefined && anchor > 0) {
          ratios[system] = round(project / anchor);
        }
      }
      rows.push({
        case: benchCase.name,
        figure: figure.unit ? `${figure.label} (${figure.unit})` : figure.label,
        values,
        ratios,
      });
    }
  }
  return rows;
}

/**
 * The rows as a Markdown table, as the README shows it: a column for each
 * system that any row has, and a ratio to each anchor.
 */
export function markdownTable(rows: readonly ReportRow[]): string {
  const present = (Object.keys(SYSTEM_LABELS) as SystemName[]).filter(
    (system) => rows.some((row) => row.values[system] !== undefined),
  );
  const anchors = present.filter((system) => system !== 'project');
  const ratioLabel = (system: SystemName) =>
    anchors.length === 1 ? 'ratio' : `ratio to ${SYSTEM_LABELS[system]}`;
  const header = [
    'scenario',
    'measure',
    ...present.map((system) => SYSTEM_LABELS[system]),
    ...anchors.map(ratioLabel),
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|---|---|${header
      .slice(2)
      .map(() => '---:')
      .join('|')}|`,
  ];
  for (const row of rows) {
    const cells = [
      row.case,
      row.figure,
      ...present.map((system) => row.values[system] ?? '-'),
      ...anchors.map((system) => row.ratios[system] ?? '-'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
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
