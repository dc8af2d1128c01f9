// The inbound worker: runs the chat commands webhooks took in, so a webhook is answered at once.
// A command that still fails after its retries gets an apology in the chat it came from, not silence.
import { Worker, type Job } from 'bullmq';
import type { CommandEvent } from '../src/chat/event.ts';
import { INTERNAL_ERROR } from '../src/chat/texts.ts';
import { enqueueDeliveries } from '../src/delivery/delivery.ts';
import { runCommand } from '../src/dispatch/dispatch.ts';
import { crashTolerance, INBOUND } from '../src/redis/queues.ts';
import type { Runtime } from '../src/infra/runtime.ts';

export function startInboundWorker(rt: Runtime, concurrency = 8): Worker {
  const worker = new Worker(
    INBOUND,
    async (job: Job<CommandEvent>) => {
      const log = rt.log.child({ job: job.id, event: job.data.id });
      const out = await runCommand(rt, job.data);
      log.info({ deliveries: out.length }, '命令已处理');
      return { deliveries: out.length };
    },
    { connection: rt.workerConnection(), prefix: rt.config.prefix, concurrency, ...crashTolerance(INBOUND) },
  );
  worker.on('failed', async (job, err) => {
    // Told once the job is given up for good (its last attempt, or one crash too many), not on each retry.
    if (!job || (await job.getState().catch(() => 'unknown')) !== 'failed') return;
    rt.log.error({ job: job.id, event: job.data.id, err: err.message }, '命令多次重试后仍失败');
    void enqueueDeliveries(rt.queues.deliver, `failed:${job.data.sender.platform}:${job.data.id}`, [
      { kind: 'reply', to: job.data.replyTo, message: { kind: 'text', text: INTERNAL_ERROR } },
    ]).catch((e: unknown) => rt.log.error({ err: e }, '未能发出致歉消息'));
  });
  return worker;
}
