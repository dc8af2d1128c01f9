// The shape of the code: no import cycle among src/, handlers/ and jobs/, and nothing under src/ reaching up into
// handlers/ or jobs/ but the composition root (src/app.ts) and the command registry's one entry (dispatch).
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const files = execFileSync('git', ['ls-files', 'src', 'handlers', 'jobs'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.endsWith('.ts'));

/** Every relative import of a file (static, type-only and dynamic alike), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g)].map((m) => (m[1] ?? m[2])!);
  return specs.map((s) => normalize(join(dirname(file), s)));
}

const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));

/** The strongly connected parts of more than one file (Tarjan): each is a cycle. */
function cycles(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(part);
    }
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return found;
}

describe('the import graph', () => {
  it('has no cycle', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles()).toEqual([]);
  });

  it('runs downward: under src/ only the composition root and the command registry import handlers/ or jobs/', () => {
    const upward = [...graph].flatMap(([f, targets]) =>
      f.startsWith('src/') ? targets.filter((t) => /^(handlers|jobs)\//.test(t)).map((t) => `${f} → ${t}`) : [],
    );
    expect(upward.sort()).toEqual([
      'src/app.ts → jobs/deliver.ts',
      'src/app.ts → jobs/inbound.ts',
      'src/app.ts → jobs/render.ts',
      'src/app.ts → jobs/schedule.ts',
      'src/dispatch/dispatch.ts → handlers/index.ts',
    ]);
  });

  it('keeps the root of src/ to the entry point and the composition root', () => {
    expect(files.filter((f) => /^src\/[^/]+\.ts$/.test(f)).sort()).toEqual(['src/app.ts', 'src/main.ts']);
  });
});
