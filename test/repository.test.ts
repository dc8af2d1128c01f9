// The repository itself: what the service needs at run time is a dependency and nothing more, nothing points
// outside the repository, and the README says the Node version package.json requires.
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

  it('says in the README the Node version package.json requires', () => {
    const min = /^>=(\d+\.\d+)$/.exec(pkg.engines.node)![1]!;
    expect(readFileSync('README.md', 'utf8')).toContain(`Node ${min} or later`);
  });
});
