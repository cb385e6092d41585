import { readFileSync } from 'node:fs';

/** The app that the README's "Using the library" section tells a user to write. */
export interface ReadmeApp {
  /** Packages of the section's `npm install` line. */
  readonly packages: readonly string[];
  /** Source files: path (from the `// src/...` first line) -> code. */
  readonly files: ReadonlyMap<string, string>;
}

const SECTION = '## Using the library';

/**
 * Reads the section from README.md: the packages of its `npm install` line
 * and every TypeScript block whose first line names its file. The consumer
 * test builds exactly this, so the README cannot drift from what works.
 */
export function readReadmeApp(readmePath = 'README.md'): ReadmeApp {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(SECTION);
  if (start < 0) {
    throw new Error(`README.md has no "${SECTION}" section`);
  }
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end < 0 ? undefined : end);

  const install = /^npm install (.+)$/m.exec(section);
  if (!install) {
    throw new Error(`"${SECTION}" has no npm install line`);
  }
  const files = new Map<string, string>();
  for (const [, code] of section.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const named = /^\/\/ (src\/[\w./-]+\.ts)\n/.exec(code);
    if (named) {
      files.set(named[1], code);
    }
  }
  return { packages: install[1].trim().split(/\s+/), files };
}
