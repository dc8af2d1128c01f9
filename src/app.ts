// Builds the whole service from a config: Redis, store, directory, calendar, queues, web server and workers.
// `npm start` and the tests both go through here, so tests run what production runs.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Worker } from 'bullmq';
import { ActionSigner } from './chat/action-token.ts';
import { startedClock, systemClock, type Clock } from './infra/clock.ts';
import { platformSummary, type Config } from './infra/config.ts';
import { DirectorySource } from './directory/directory-source.ts';
import type { Directory } from './directory/directory.ts';
import { calendarWarning, WorkCalendar } from './domain/calendar.ts';
import { createLogger, type Logger } from './infra/logger.ts';
import { createQueues } from './redis/queues.ts';
import { checkRedisPersistence } from './redis/checks.ts';
import type { Runtime } from './infra/runtime.ts';
import { createServer } from './http/server.ts';
import { adminRoutes } from './http/admin.ts';
import { Metrics } from './infra/metrics.ts';
import { RedisHealth } from './redis/health.ts';
import { closeRedis, describeTarget, endsWhenDisconnected, openRedis, type RedisTarget } from './redis/client.ts';
import { Store } from './store/store.ts';
import { FileStore } from './files/file-store.ts';
import { upgradeStore } from './store/upgrade.ts';
import { startOutboxRelay } from './delivery/outbox.ts';
import { startTicker } from './schedule/ticker.ts';
import { dateInTz, formatDateTime } from './domain/dates.ts';
import { startScheduleWorker } from '../jobs/schedule.ts';
import { startDeliveryWorker } from '../jobs/deliver.ts';
import { startRenderWorker } from '../jobs/render.ts';
import { pdfFont } from './output/pdf-font.ts';
import { unreachablePeople, type Adapters } from './platforms/routing.ts';
import { startInboundWorker } from '../jobs/inbound.ts';
import { createPlatforms } from './platforms/index.ts';

export interface AppOptions {
  config: Config;
  log?: Logger;
  clock?: Clock;
  /** Platform adapters by platform; tests pass recording ones. */
  adapters?: Adapters;
  /** Timeout of each platform API call (tests shorten it). */
  platformTimeoutMs?: number;
  /** First retry delay of failed jobs (tests shorten it). */
  retryDelayMs?: number;
  /** Reload the directory on SIGHUP and file change (production); off in tests. */
  watchDirectory?: boolean;
  /**
   * Look at the clock for scheduled work (reminders, chases) in worker roles; default on. Tests that do not test
   * the schedule turn it off, so moving their clock sends nothing unasked.
   */
  scheduler?: boolean;
}

export interface App {
  rt: Runtime;
  workers: Worker[];
  /** Starts listening on config.host and config.port; port 0 picks a free port. */
  listen(): Promise<Server | undefined>;
  /** Stops taking requests, lets running jobs finish, then closes everything. */
  stop(): Promise<void>;
}

/** A start-up problem the admin can fix, said in one line (no stack). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * Connects once, without retrying, so that an unreachable Redis is one clear line, not ioredis's retries and
 * stacks. Only a Redis that answers PING gets the real, retrying connections.
 */
async function checkRedisReachable(target: RedisTarget): Promise<void> {
  const probe = openRedis(target, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    failoverDetector: false,
    connectTimeout: 5000,
  });
  let lastError: Error | undefined;
  probe.on('error', (e: Error) => (lastError = e));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    const err = (lastError ?? e) as NodeJS.ErrnoException;
    const why =
      err.code === 'ECONNREFUSED'
        ? '连接被拒绝（该地址和端口上没有 Redis 在运行）'
        : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
          ? '找不到该主机名'
          : err.code === 'ETIMEDOUT'
            ? '连接超时'
            : /NOAUTH|WRONGPASS|invalid password/i.test(err.message)
              ? '密码不对或缺少密码'
              : /All sentinels are unreachable/.test(err.message)
                ? '所有 Sentinel 都连不上，或都不知道这个主节点名'
                : err.message.split('\n')[0];
    const check = target.sentinels ? '请确认各 Sentinel 已启动，REDIS_SENTINELS 的主机和端口、REDIS_SENTINEL_NAME 的主节点名正确' : '请确认 Redis 已启动，REDIS_URL 的主机、端口和密码正确';
    throw new StartupError(`无法连接 Redis（${describeTarget(target)}）：${why}。${check}`);
  } finally {
    probe.disconnect();
  }
}

/** The attachments' directory, made if need be; one that cannot be written is said at start-up, not at the first file. */
async function openFiles(dir: string): Promise<FileStore> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new StartupError(`附件目录不可用（DUCHA_FILES_DIR=${dir}）：${(e as Error).message}。请确认该目录存在且本服务可以写入（多台机器运行时应为共享存储）`);
  }
  return new FileStore(dir);
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  // Auto-pipelining: the commands of many presses in flight at once go out in one write (the store's reads,
  // commits and relays are several round trips each).
  await checkRedisReachable(config);
  const redis = endsWhenDisconnected(openRedis(config, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true }));
  const health = new RedisHealth(log);
  health.watch(redis, 'store', true);
  await redis.connect();
  const cleanup: (() => Promise<unknown> | void)[] = [() => closeRedis(redis)];
  try {
    await checkRedisPersistence(redis, log);
    const directory = await DirectorySource.open(config.directoryFile, log);
    if (opts.watchDirectory) directory.watch();
    cleanup.push(() => directory.close());
    const calendar = await WorkCalendar.load(config.calendarFile);
    const files = await openFiles(config.filesDir);
    const store = new Store(redis, config.prefix);
    store.waitReplicaMs = config.redisWaitMs;
    // Someone the directory no longer lists is still named (not by id) in what is said about their records.
    directory.rememberNames(await store.personNames());
    const saveNames = (d: Directory) =>
      store.savePersonNames(d.allPeople()).catch((err: unknown) => log.warn({ err }, '未能保存组织名录中的人员姓名'));
    await saveNames(directory.current());
    directory.onChange((d) => void saveNames(d));
    const clock = opts.clock ?? (config.clockStart !== undefined ? startedClock(config.clockStart) : systemClock);
    await upgradeStore(redis, store, log, clock.now());
    const secret = await store.signingSecret(config.secret);
    // The webhook hot path adds jobs from many requests at once: auto-pipelining sends them in one write.
    const queueConnection = redis.duplicate({ enableAutoPipelining: true });
    health.watch(queueConnection, 'queues', true);
    cleanup.push(() => closeRedis(queueConnection));
    const queues = createQueues(queueConnection, config.prefix, opts.retryDelayMs, config.redisWaitMs);
    // The queues report their connection's errors too: the same outage, said once.
    for (const q of [queues.inbound, queues.deliver, queues.schedule, queues.render]) q.on('error', (err) => health.lost(err, 'queues'));
    cleanup.unshift(() => queues.close());
    const metrics = new Metrics();
    metrics.watch({
      queues: { inbound: queues.inbound, deliver: queues.deliver, schedule: queues.schedule, render: queues.render },
      outboxEntries: () => store.outboxEntries(),
      redisAvailable: () => !health.unavailable,
    });
    const rt: Runtime = {
      config,
      log,
      store,
      files,
      clock,
      calendar,
      directory: () => directory.current(),
      signer: new ActionSigner(secret),
      queues,
      health,
      metrics,
      workerConnection() {
        const c = redis.duplicate({ maxRetriesPerRequest: null, enableAutoPipelining: false });
        health.watch(c, 'worker');
        return c;
      },
    };
    // Said at start-up, not first at someone's /归档.
    const font = pdfFont(config);
    if (!font.ok) log.warn(`PDF 字体不可用：${font.problem}`);
    const calendarNote = calendarWarning(calendar, dateInTz(rt.clock.now(), config.tz));
    if (calendarNote) log.warn(calendarNote);
    if (config.clockStart !== undefined && !opts.clock) {
      log.warn(
        { clock: new Date(config.clockStart).toISOString() },
        `DUCHA_CLOCK 已设置：业务时间从 ${formatDateTime(config.clockStart, config.tz)} 开始走（仅供演示和验收；期限、提醒和卡片按此时间，接口校验仍用真实时间）`,
      );
    }
    const platforms = await createPlatforms(config, redis, log, opts.platformTimeoutMs, rt.clock, files);
    const adapters: Adapters = opts.adapters ?? platforms.adapters;
    const workers: Worker[] = [];
    if (config.role !== 'web') {
      workers.push(startInboundWorker(rt, adapters), startDeliveryWorker(rt, adapters), startScheduleWorker(rt), startRenderWorker(rt));
      // A lost connection is the outage, said once; anything else a worker reports is logged as it comes.
      for (const w of workers) w.on('error', (err) => (RedisHealth.isConnectionError(err) || health.down ? health.lost(err, 'worker') : log.error({ err }, '队列工作进程出错')));
      // Deliveries an interrupted operation committed but did not queue (see src/delivery/outbox.ts).
      const relay = startOutboxRelay(rt);
      cleanup.unshift(() => relay.stop());
      if (opts.scheduler !== false) {
        const ticker = startTicker(rt);
        cleanup.unshift(() => ticker.stop());
      }
      // Open assignments follow the directory: now (it may have changed while the service was down) and after each
      // reload. Named by the directory's text and the minute, so processes reloading the same file do it once.
      const follow = () =>
        queues.schedule
          .add('follow-directory', {}, { jobId: `follow-${directory.fingerprint()}-${Math.floor(Date.now() / 60_000)}` })
          .catch((err: unknown) => log.warn({ err }, '未能安排按组织名录更换负责领导的任务'));
      void follow();
      directory.onChange(() => void follow());
    }
    if (config.role !== 'worker') cleanup.unshift(platforms.connect(rt));
    let server: Server | undefined;
    log.info({ role: config.role, prefix: config.prefix, units: directory.current().allUnits().length }, platformSummary(config));
    // Once, at start-up: who in the directory no platform switched on here can reach (when any is on).
    if (adapters.size > 0) {
      const lost = unreachablePeople(directory.current().allPeople(), adapters);
      if (lost.length > 0) {
        const names = lost.slice(0, 20).map((p) => `${p.name}（${p.id}）`).join('、') + (lost.length > 20 ? ` 等 ${lost.length} 人` : '');
        log.warn({ people: lost.map((p) => p.id) }, `通讯录中有 ${lost.length} 人在已启用的平台上没有账号，发给他们的消息将无法送达：${names}`);
      }
    }
    return {
      rt,
      workers,
      async listen() {
        // A worker serves /healthz and /readyz (for its orchestrator), /metrics and the queue dashboard; the platforms'
        // routes are for web and all.
        const admin = await adminRoutes(config.adminPassword, metrics, [queues.inbound, queues.deliver, queues.schedule, queues.render]);
        const app = createServer(
          log,
          [
            // Not ready while the connection is not: answered at once, not after ioredis's retries.
            { name: 'redis', check: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG' },
            ...(workers.length ? [{ name: 'workers', check: async () => workers.every((w) => w.isRunning()) }] : []),
          ],
          config.role === 'worker' ? [] : platforms.routes(rt),
          { metrics, admin },
        );
        server = await new Promise<Server>((resolve, reject) => {
          // Loopback by default while the console is on (see config.ts): other machines cannot even connect.
          const s = app.listen(config.port, config.host, () => resolve(s));
          s.once('error', (e: NodeJS.ErrnoException) =>
            reject(
              e.code === 'EADDRINUSE'
                ? new StartupError(`端口 ${config.port} 已被占用（PORT=${config.port}）：请停止占用它的程序，或把 PORT 设为别的端口`)
                : e.code === 'EACCES'
                  ? new StartupError(`没有权限监听端口 ${config.port}（PORT=${config.port}）：1024 以下的端口需要特权，请改用更大的端口`)
                  : e.code === 'EADDRNOTAVAIL'
                    ? new StartupError(`本机没有地址 ${config.host}（HOST=${config.host}）：请把 HOST 设为本机的一个地址，或不设置`)
                    : e,
            ),
          );
        });
        return server;
      },
      async stop() {
        platforms.closeStreams();
        if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
        await Promise.all(workers.map((w) => w.close()));
        for (const c of cleanup) await c();
      },
    };
  } catch (e) {
    for (const c of cleanup) await Promise.resolve(c()).catch(() => undefined);
    throw e;
  }
}
