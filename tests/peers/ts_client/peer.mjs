// What the TypeScript peer clients in this folder share: reading sampling content, and running
// scenarios into the one JSON report each script prints.

/** A guard against a hung scenario, not a timing check. */
const GUARD_MS = 120_000;

/** The content blocks of a sampling message (one block or a list). */
export const asList = (content) => (Array.isArray(content) ? content : [content]);

/** The text of content blocks, joined. */
export const textOf = (blocks) => asList(blocks ?? []).map((block) => block?.text ?? '').join('');

function guarded(name, promise) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${GUARD_MS} ms`)), GUARD_MS);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/**
 * Runs each `[name, scenario]` in turn, each bounded by the guard, prints the report
 * `{scenarios: {name: record}, failures: [...]}` as the last line of stdout and exits; a
 * scenario that throws goes to `failures`.
 */
export async function runScenarios(scenarios, failures) {
  const report = { scenarios: {}, failures };
  for (const [name, scenario] of scenarios) {
    try {
      report.scenarios[name] = await guarded(name, scenario());
    } catch (error) {
      failures.push(`${name}: ${error?.stack ?? error}`);
    }
  }
  console.log(JSON.stringify(report));
  process.exit(0);
}
