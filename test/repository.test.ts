// The repository itself: what the service needs at run time is a dependency and nothing more, nothing points
// outside the repository, log lines are in one language, and the README says the Node version package.json requires.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const tracked = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean);

describe('the repository', () => {
  it('keeps what only benchmarks and tests use out of the runtime dependencies', () => {
    expect(pkg.dependencies['@koa/bodyparser']).toBeUndefined();
    expect(pkg.devDependencies['@koa/bodyparser']).toBe('6.1.0');
    for (const f of tracked.filter((f) => /^(src|handlers|jobs)\/.*\.ts$/.test(f))) {
      expect(readFileSync(f, 'utf8'), f).not.toContain('@koa/bodyparser');
    }
  });

  it('pins every dependency exactly', () => {
    for (const [name, v] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) expect(v, name).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('points nowhere outside itself', () => {
    for (const f of tracked.filter((f) => /\.(ts|md|yaml|json|sh)$|^\.ci\//.test(f) && f !== 'package-lock.json')) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/\.\.\/shared\b|\/work\/shared/);
    }
  });

  it('writes every log line in Chinese, the language of the operators', () => {
    // A log call's message is its last argument: a literal with Chinese in it, or one of the few functions that
    // compose a Chinese message (tested where they are defined).
    const composed = /^(calendarNote|verdict\.warn|opts\.(?:failed|recovered)|platformSummary\(config\)|`\$\{error\.message\}[^`]*`)$/;
    let calls = 0;
    for (const f of tracked.filter((f) => /^(src|handlers|jobs)\/.*\.ts$/.test(f) && f !== 'src/infra/logger.ts')) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\b(?:log|logger|rt\.log|this\.log|this\.logger)\.(?:trace|debug|info|warn|error|fatal)\(/g)) {
        const args = callArguments(text, m.index + m[0].length);
        const last = args[args.length - 1]!;
        calls++;
        if (!composed.test(last)) expect(last, `${f}: ${m[0]}${args.join(', ')})`).toMatch(/\p{Script=Han}/u);
      }
    }
    expect(calls).toBeGreaterThan(60);
  });

  it('says in the README the Node version package.json requires', () => {
    const min = /^>=(\d+\.\d+)$/.exec(pkg.engines.node)![1]!;
    expect(readFileSync('README.md', 'utf8')).toContain(`Node ${min} or later`);
  });
});

/** The top-level arguments of a call whose `(` ends just before `from`, as source text. */
function callArguments(text: string, from: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = from;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) {
        args.push(text.slice(start, i).trim());
        return args.filter(Boolean);
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error('unclosed call');
}
