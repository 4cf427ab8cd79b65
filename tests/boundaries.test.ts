// The import rules of src/boundaries.json, checked over every TypeScript file of src/, cli/, tools/,
// demo/, bench/ and workers/: no import crosses into a unit its rules don't list (apps reach src/
// only through src/mod.ts and the Deno entry), and no file imports itself back through a chain,
// types included. Imports are read with TypeScript's own scanner (static, type-only, re-exports and
// dynamic import() with a literal). No browser, no Deno; about a second.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const SCANNED = ['src', 'cli', 'tools', 'demo', 'bench', 'workers'];

interface Table {
  files: Record<string, string>;
  public: string[];
  rules: Record<string, string[]>;
}
const TABLE = JSON.parse(readFileSync(join(ROOT, 'src/boundaries.json'), 'utf8')) as Table;

function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(join(ROOT, dir));
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The unit a repository path belongs to: a named file or folder of the table, else src/'s first level, else the top folder. */
export function unitOf(path: string): string {
  const named = Object.keys(TABLE.files).filter((k) => (k.endsWith('/') ? path.startsWith(k) : path === k)).sort((a, b) => b.length - a.length)[0];
  if (named) return TABLE.files[named]!;
  const parts = path.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, '');
  return parts[0]!;
}

/** Every relative import of every scanned file, as repository paths. */
function importGraph(): Map<string, Array<{ to: string; line: number }>> {
  const graph = new Map<string, Array<{ to: string; line: number }>>();
  for (const file of SCANNED.flatMap((d) => walk(d))) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const info = ts.preProcessFile(text, true, true);
    const edges = info.importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => ({ to: normalize(join(dirname(file), i.fileName)), line: text.slice(0, i.pos).split('\n').length }));
    graph.set(file, edges);
  }
  return graph;
}

/** Import cycles (strongly connected components of more than one file, or a file importing itself), each as a path round it. */
function cycles(graph: Map<string, Array<{ to: string }>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
      if (scc.length > 1 || selfLoop) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import boundaries (src/boundaries.json)', () => {
  const graph = importGraph();

  it('scans the product', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files scanned`);
    for (const f of ['src/mod.ts', 'src/types/mod.ts', 'cli/deno/cli.ts', 'tools/browser-cli.ts', 'demo/main.ts', 'bench/ladder.ts', 'workers/encode.worker.ts']) {
      assert.ok(graph.has(f), `${f} not scanned`);
    }
  });

  it('has no import cycle', () => {
    const found = cycles(graph);
    assert.deepEqual(found, [], `import cycles:\n${found.map((c) => `  ${c.join(' ↔ ')}`).join('\n')}`);
  });

  it('every file belongs to a unit with rules, and every import is one its rules allow', () => {
    const problems: string[] = [];
    for (const [from, edges] of graph) {
      const unit = unitOf(from);
      const allowed = TABLE.rules[unit];
      if (!allowed) {
        problems.push(`${from}: unit '${unit}' has no rules in src/boundaries.json`);
        continue;
      }
      for (const { to, line } of edges) {
        const target = unitOf(to);
        if (target === unit || allowed.includes(target)) continue;
        const app = allowed.some((u) => TABLE.public.includes(u)) && !from.startsWith('src/');
        const hint = app && to.startsWith('src/') ? ` (an app reaches src/ only through the public API: ${TABLE.public.join(', ')})` : '';
        problems.push(`${from}:${line} imports ${to}: '${unit}' may not import '${target}'${hint}`);
      }
    }
    assert.deepEqual(problems, [], `forbidden imports:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  });

  it('the shared types are a leaf: src/types/ imports nothing outside itself', () => {
    for (const [from, edges] of graph) {
      if (unitOf(from) !== 'types') continue;
      for (const { to } of edges) assert.equal(unitOf(to), 'types', `${from} imports ${to}`);
    }
  });

  it('the rules themselves are layered: no unit can reach itself through them', () => {
    const rules = new Map(Object.entries(TABLE.rules).map(([u, deps]) => [u, deps.map((to) => ({ to }))]));
    for (const deps of Object.values(TABLE.rules)) for (const d of deps) assert.ok(TABLE.rules[d] || d === 'tests', `rule names unknown unit '${d}'`);
    assert.deepEqual(cycles(rules), []);
  });
});

describe('tests per stage', () => {
  it('every stage folder src/X/ (code, not types) has its unit test file tests/unit/X.test.ts', () => {
    const stages = readdirSync(join(ROOT, 'src')).filter((d) => statSync(join(ROOT, 'src', d)).isDirectory() && d !== 'types');
    assert.ok(stages.length >= 15, `found ${stages.length} stage folders`);
    const units = new Set(readdirSync(join(ROOT, 'tests/unit')));
    assert.deepEqual(stages.filter((d) => !units.has(`${d}.test.ts`)), [], 'stage folders without tests/unit/<stage>.test.ts');
  });
});
