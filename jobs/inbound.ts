// The inbound worker: runs the chat commands webhooks took in, so a webhook is answered at once.
import { Worker, type Job } from 'bullmq';
import type { CommandEvent } from '../src/chat/event.ts';
import { runCommand } from '../src/dispatch.ts';
import { INBOUND } from '../src/queues.ts';
import type { Runtime } from '../src/runtime.ts';

export function startInboundWorker(rt: Runtime, concurrency = 8): Worker {
  return new Worker(
    INBOUND,
    async (job: Job<CommandEvent>) => {
      const log = rt.log.child({ job: job.id, event: job.data.id });
      const out = await runCommand(rt, job.data);
      log.info({ deliveries: out.length }, 'command handled');
      return { deliveries: out.length };
    },
    { connection: rt.redis.duplicate({ maxRetriesPerRequest: null }), prefix: rt.config.prefix, concurrency },
  );
}
