// Test runner settings, in four lanes a developer can run alone: `npm run test:unit` (needs neither Redis nor a
// process), `test:redis`, `test:process`, `test:browser`; `npm test` runs them all. Each test file is in exactly one
// lane: the unit, process and browser lanes are listed here, every other file needs Redis. Tests on Redis run in
// parallel, each under a key prefix of its own.
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const files = (names: string[]) => names.map((n) => `test/${n}.test.ts`);

/** Pure code, local HTTP servers and git: no Redis (test/helpers/no-redis.ts refuses it), no process of the service. */
const UNIT = files([
  'calendar',
  'config',
  'console-examples',
  'directory',
  'docs',
  'extension-render',
  'fake-feishu',
  'fake-wecom',
  'feishu-render',
  'feishu-verify',
  'import-graph',
  'issue18-render',
  'leader-review-render',
  'on-time',
  'owner-render',
  'parse-command',
  'progress-render',
  'period',
  'raw-body',
  'redis-calls',
  'repository',
  'suggest',
  'wecom-crypto',
  'wecom-parts',
  'work-hours',
]);
/** The service (`npm start`) or a redis-server of their own as separate processes. */
const PROCESS = files(['console', 'console-trust', 'crash', 'redis-outage', 'roles', 'schedule-process', 'sentinel', 'start']);
/** The console in headless Chromium (/usr/bin/chromium), against the service as a process. */
const BROWSER = files(['admin-browser', 'console-browser', 'console-cross-site', 'console-files', 'console-output']);

// A lane that names a file no longer there would quietly lose it.
for (const f of [...UNIT, ...PROCESS, ...BROWSER]) if (!existsSync(f)) throw new Error(`vitest.config.ts: ${f} does not exist`);

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, setupFiles: ['test/helpers/no-redis.ts'] } },
      { extends: true, test: { name: 'redis', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...PROCESS, ...BROWSER] } },
      { extends: true, test: { name: 'process', include: PROCESS } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
    ],
  },
});
