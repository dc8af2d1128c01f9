// The outbox: what a committed operation decided to send is written with the change, in the same step, and
// relayed to the delivery queue right after. Job ids are fixed by the operation, so relaying twice adds nothing;
// what a crash left between the two steps is relayed by any worker within seconds.
import type { Runtime } from '../infra/runtime.ts';
import { faultPoint } from '../infra/fault-point.ts';
import { startPeriodic } from '../infra/periodic.ts';
import { enqueueDeliveries, type Delivery } from './delivery.ts';

/** An entry older than this is taken to be left behind by a crash (its own process relays it within milliseconds). */
export const OUTBOX_STALE_MS = 2000;
const SWEEP_EVERY_MS = 1000;

/** Queues an operation's deliveries under their fixed job ids, then clears its outbox entry. */
export async function relayOutbox(rt: Runtime, opId: string, deliveries: Delivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await enqueueDeliveries(rt.queues.deliver, opId, deliveries);
  faultPoint(rt, 'after-enqueue');
  await rt.store.clearOutbox(opId);
}

/** Relays an operation's entry if it is still in the outbox (its first run stopped between commit and queue). */
export async function relayPending(rt: Runtime, opId: string): Promise<void> {
  const pending = await rt.store.outboxEntry(opId);
  if (pending) await relayOutbox(rt, opId, pending);
}

/** Relays every entry that has waited longer than OUTBOX_STALE_MS; returns how many. */
export async function sweepOutbox(rt: Runtime, wallNow = Date.now()): Promise<number> {
  const ops = await rt.store.outboxOlderThan(wallNow - OUTBOX_STALE_MS);
  for (const opId of ops) await relayPending(rt, opId);
  return ops.length;
}

/**
 * Every worker process looks at the outbox once a second (a read that writes nothing when it is empty). The
 * timer only paces the look: what is due is the outbox itself, in Redis, so a restart or a second worker
 * changes nothing.
 */
export function startOutboxRelay(rt: Runtime): { stop(): Promise<void> } {
  return startPeriodic(
    async () => {
      const n = await sweepOutbox(rt);
      if (n) rt.log.warn({ relayed: n }, '发件箱：已补发中断的操作留下的消息');
    },
    { everyMs: SWEEP_EVERY_MS, log: rt.log, failed: '发件箱补发失败，稍后重试', recovered: '发件箱补发已恢复' },
  );
}
