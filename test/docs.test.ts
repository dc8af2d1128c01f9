// The documentation as a reader follows it: the README links every page of docs/, every link between them lands on a
// file and a heading that exist, every `npm run` they show is a script of package.json, and the life of an assignment
// drawn in docs/domain.md has exactly the states and actions of src/domain/rules.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, STATE_LABELS } from '../src/domain/rules.ts';

const pages = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (page: string) => readFileSync(page, 'utf8');
/** Markdown links outside code: [label](target). */
const links = (page: string) => [...text(page).replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
const anchors = (page: string) => new Set([...text(page).replace(/```[\s\S]*?```/g, '').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!)));

describe('the documentation', () => {
  it('has a README under 150 lines that links every page of docs/', () => {
    expect(text('README.md').split('\n').length).toBeLessThan(150);
    const linked = new Set(links('README.md').map((l) => l.split('#')[0]));
    for (const page of pages.filter((p) => p.startsWith('docs/'))) expect(linked, page).toContain(page);
  });

  it('links only to files and headings that exist', () => {
    let checked = 0;
    for (const page of pages) {
      for (const link of links(page).filter((l) => !/^[a-z]+:/.test(l))) {
        const [file, hash] = link.split('#');
        const target = file ? normalize(join(dirname(page), file)) : page;
        expect(() => readFileSync(target), `${page}: ${link}`).not.toThrow();
        if (hash) expect(anchors(target), `${page}: ${link}`).toContain(decodeURIComponent(hash));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('shows only npm scripts that package.json has', () => {
    const scripts = (JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts;
    const shown = pages.flatMap((p) => [...text(p).matchAll(/npm run ([a-z:]+)/g)].map((m) => [p, m[1]!] as const));
    expect(shown.length).toBeGreaterThan(10);
    for (const [page, script] of shown) if (!script.endsWith(':')) expect(Object.keys(scripts), `${page}: npm run ${script}`).toContain(script);
  });

  it('draws the life of an assignment with the states and actions of the rules', () => {
    const diagram = /## The life of one assignment[\s\S]*?```\n([\s\S]*?)```/.exec(text('docs/domain.md'))![1]!;
    const words = new Set(diagram.match(/[a-z_]+/g));
    const states = Object.keys(STATE_LABELS);
    const moves = Object.entries(RULES).filter(([, r]) => r.to !== 'same').map(([action]) => action);
    expect([...words].filter((w) => states.includes(w)).sort()).toEqual([...states].sort());
    expect([...words].filter((w) => w in RULES).sort()).toEqual([...moves].sort());
    // Nothing else that looks like a state: the words left are those of the labels.
    expect([...words].filter((w) => !states.includes(w) && !(w in RULES)).sort()).toEqual(['final', 'progress', 'report']);
  });
});
