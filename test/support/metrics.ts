import parsePrometheusTextFormat, {
  type ParsedFamily,
} from 'parse-prometheus-text-format';

/** One scrape of GET /metrics, parsed by a Prometheus text-format parser. */
export class Scrape {
  private readonly families: Map<string, ParsedFamily>;

  constructor(readonly text: string) {
    this.families = new Map(
      parsePrometheusTextFormat(text).map((family) => [family.name, family]),
    );
  }

  get names(): string[] {
    return [...this.families.keys()];
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  /** Every sample of a counter or gauge family, with its labels. */
  samples(name: string): { labels: Record<string, string>; value: number }[] {
    return (this.families.get(name)?.metrics ?? []).map((metric) => ({
      labels: metric.labels ?? {},
      value: Number(metric.value),
    }));
  }

  /**
   * The value of the sample whose labels include `labels` (0 when the
   * family has no such sample yet; it throws if the family is missing).
   * A histogram answers with its count.
   */
  value(name: string, labels: Record<string, string> = {}): number {
    const family = this.families.get(name);
    if (!family) {
      throw new Error(`no metric ${name} in /metrics`);
    }
    const sample = family.metrics.find((metric) =>
      Object.entries(labels).every(
        ([key, value]) => metric.labels?.[key] === value,
      ),
    );
    return Number(sample?.value ?? sample?.count ?? 0);
  }
}

/** Scrapes an instance's /metrics; throws unless it answers 200. */
export async function scrape(baseUrl: string, token?: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`/metrics answered ${response.status}: ${text}`);
  }
  return new Scrape(text);
}
