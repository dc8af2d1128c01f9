// The inbound worker: runs the chat commands webhooks took in, so a webhook is answered at once, and fetches the files
// people sent (at once: a WeCom media id lives three days). A job that still fails after its retries gets an apology
// in the chat it came from, not silence.
import { Worker, type Job } from 'bullmq';
import type { CommandEvent, FileEvent } from '../src/chat/event.ts';
import { INTERNAL_ERROR } from '../src/chat/texts.ts';
import { enqueueDeliveries } from '../src/delivery/delivery.ts';
import { PermanentFailure } from '../src/delivery/errors.ts';
import { runCommand, runFile } from '../src/dispatch/dispatch.ts';
import type { Adapters } from '../src/platforms/routing.ts';
import { crashTolerance, INBOUND } from '../src/redis/queues.ts';
import type { Runtime } from '../src/infra/runtime.ts';

export function startInboundWorker(rt: Runtime, adapters: Adapters, concurrency = 8): Worker {
  const worker = new Worker(
    INBOUND,
    async (job: Job<CommandEvent | FileEvent>) => {
      const log = rt.log.child({ job: job.id, event: job.data.id });
      const ev = job.data;
      const out =
        ev.kind === 'file'
          ? await runFile(rt, ev, (handle) => {
              const adapter = adapters.get(handle.platform);
              if (!adapter) throw new PermanentFailure(`平台 ${handle.platform} 未启用，无法取回文件`);
              return adapter.fetchFile(handle);
            })
          : await runCommand(rt, ev);
      log.info({ deliveries: out.length }, ev.kind === 'file' ? '文件已处理' : '命令已处理');
      return { deliveries: out.length };
    },
    { connection: rt.workerConnection(), prefix: rt.config.prefix, concurrency, ...crashTolerance(INBOUND) },
  );
  worker.on('failed', async (job, err) => {
    // Told once the job is given up for good (its last attempt, or one crash too many), not on each retry.
    if (!job || (await job.getState().catch(() => 'unknown')) !== 'failed') return;
    rt.log.error({ job: job.id, event: job.data.id, err: err.message }, job.data.kind === 'file' ? '文件多次重试后仍未能处理' : '命令多次重试后仍失败');
    void enqueueDeliveries(rt.queues.deliver, `failed:${job.data.sender.platform}:${job.data.id}`, [
      { kind: 'reply', to: job.data.replyTo, message: { kind: 'text', text: INTERNAL_ERROR } },
    ]).catch((e: unknown) => rt.log.error({ err: e }, '未能发出致歉消息'));
  });
  return worker;
}
