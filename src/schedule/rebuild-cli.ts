// `npm run schedule:rebuild`: rebuilds the schedule from the records (see src/store/rebuild-schedule.ts). Run it with ducha stopped.
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../infra/config.ts';
import { openRedis } from '../redis/client.ts';
import { rebuildSchedule } from '../store/rebuild-schedule.ts';
import { Store } from '../store/store.ts';

if (existsSync('.env')) process.loadEnvFile('.env');

try {
  const config = loadConfig();
  const redis = openRedis(config, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const r = await rebuildSchedule(redis, new Store(redis, config.prefix));
  console.log(`提醒日程已重建：${r.items} 个事项，${r.open} 个在办单位，${r.chases} 个待签收提醒，${r.drafts} 份待发出的草稿，${r.progress} 个需报送进度的事项，用时 ${r.ms} ms`);
  await redis.quit();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `重建失败：${(e as Error).message}`);
  process.exit(1);
}
