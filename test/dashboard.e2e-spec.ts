import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { startInstance } from './support/app-instance';
import { scrape } from './support/metrics';
import { useResources } from './support/resources';

interface Panel {
  title: string;
  type: string;
  datasource?: unknown;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync('grafana/propagator-dashboard.json', 'utf8'),
) as {
  panels: Panel[];
  templating: { list: { definition?: string }[] };
};

/** The metric names a PromQL expression selects: each name before its `{`. */
function metricsIn(expression: string): string[] {
  return [...expression.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map(
    ([, name]) => name,
  );
}

describe('the Grafana dashboard', () => {
  const resources = useResources();

  it('queries only metrics that GET /metrics serves', async () => {
    const instance = resources.forTest(await startInstance(), (i) => i.close());
    const served = new Set((await scrape(instance.url)).names);
    const expressions = [
      ...dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => target.expr),
      ),
      ...dashboard.templating.list.flatMap((variable) =>
        variable.definition
          ? [variable.definition.replace(/\(([a-z_]+),/, '($1{},')]
          : [],
      ),
    ];
    const queried = new Set(expressions.flatMap(metricsIn));

    expect(queried.size).toBeGreaterThan(15);
    const missing = [...queried].filter(
      (name) =>
        !served.has(name) &&
        !served.has(name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(missing).toEqual([]);
    // Every metric of this library is on the dashboard.
    const ours = [...served].filter((name) => name.startsWith('propagator_'));
    expect(
      ours.filter(
        (name) => !queried.has(name) && !queried.has(`${name}_bucket`),
      ),
    ).toEqual([]);
  });

  it('has a title and a Prometheus data source on every panel that queries', () => {
    for (const panel of dashboard.panels) {
      expect(panel.title).toBeTruthy();
      if (panel.type !== 'row') {
        expect(panel.targets?.length).toBeGreaterThan(0);
        expect(panel.datasource).toEqual({
          type: 'prometheus',
          uid: '${datasource}',
        });
      }
    }
  });
});
