// Builds dist/ with tsdown's API instead of its command line: quiet unless something is wrong (the
// command line lists every file it writes and warns about the Node version on every run).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'tsdown';

await build({ logLevel: 'warn' });

// zod's declarations, bundled into ours, mark variance with a `@ts-ignore` comment on the line
// before the type parameter; bundling joins the two lines, so the comment no longer applies and a
// consumer with `skipLibCheck: false` gets TS2636 errors. Put the parameter back on its own line.
const dist = new URL('../dist/', import.meta.url).pathname;
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (!/\.d\.[mc]ts$/.test(file)) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace(/(\/\*\* @ts-ignore[^*]*\*\/)\s*(out |in )/g, '\n$1\n$2');
  if (fixed !== text) writeFileSync(path, fixed);
}
