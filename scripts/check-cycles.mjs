// Fails when modules under src/ import each other in a cycle. Type-only imports count too: a
// cycle of types is still two concepts that cannot be read, tested or moved apart.
// Usage: node scripts/check-cycles.mjs [root]   (default: src)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [path] : [];
  });
}

// `import ... from './x.js'`, `export ... from './x.js'`, `import('./x.js')`: relative specifiers only.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)['"](\.{1,2}\/[^'"]+)['"]/gm;

const files = sources(root);
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = new Set();
  for (const [, spec] of text.matchAll(SPECIFIER)) {
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (graph.has(target) || files.includes(target)) deps.add(target);
  }
  graph.set(file, deps);
}

// Tarjan's strongly connected components: every component larger than one file is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const components = [];
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!state.has(w)) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) {
      state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
    }
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) components.push(component);
  }
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

if (components.length === 0) {
  console.log(`import cycles: none among ${files.length} modules in ${relative(process.cwd(), root) || '.'}`);
} else {
  for (const component of components) {
    const names = component.map((f) => relative(root, f)).sort();
    console.error(`import cycle among ${names.length} modules:`);
    for (const name of names) {
      const into = [...(graph.get(join(root, name)) ?? [])]
        .filter((d) => component.includes(d))
        .map((d) => relative(root, d));
      console.error(`  ${name} -> ${into.join(', ')}`);
    }
  }
  process.exit(1);
}
