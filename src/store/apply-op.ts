// Runs one operation on one item exactly once: read, decide (pure), then commit with compare-and-set;
// a lost race decides again on fresh state, and a replayed operation gets the stored outcome back.
import { setTimeout as delay } from 'node:timers/promises';
import { itemShouldComplete } from '../domain/rules.ts';
import type { Actor, Item } from '../domain/types.ts';
import type { Delivery } from '../delivery/delivery.ts';
import { Refusal } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import type { AuditEntry } from './store.ts';

/** An audit line as a decision writes it; who, when and which item are filled in here. */
export interface AuditDraft {
  action: string;
  unit?: string;
  from?: string;
  to?: string;
  detail?: Record<string, unknown>;
}

export interface Decision {
  audits: AuditDraft[];
  deliveries: Delivery[];
  /** A short line for the person who acted (a card toast, or a chat reply). */
  toast?: string;
}

export interface Outcome {
  itemId: string;
  deliveries: Delivery[];
  toast?: string;
  /** True when this operation had already been applied and this is its stored outcome. */
  replayed?: boolean;
}

export interface Op {
  /** Unique per operation: an inbound event id, prefixed by its source. */
  id: string;
  actor: Actor;
}

const MAX_TRIES = 50;

/** Changes an existing item. `decide` gets a private copy to change, and may throw a Refusal. */
export async function mutateItem(
  rt: Runtime,
  op: Op,
  itemId: string,
  decide: (item: Item, now: number) => Decision,
): Promise<Outcome> {
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const { outcome: done, found } = await rt.store.getForOp<Outcome>(op.id, itemId);
    if (done) return { ...done, replayed: true };
    if (!found) throw new Refusal('not_found', `没有编号为 ${itemId} 的督查事项`);
    const now = rt.clock.now();
    const item = structuredClone(found.item);
    let decision: Decision;
    try {
      decision = decide(item, now);
    } catch (e) {
      // The same operation may have committed between our outcome check and our read (a webhook
      // delivered twice at once): then the refusal is of our own effect, and the outcome is the answer.
      const applied = await rt.store.getOutcome<Outcome>(op.id);
      if (applied) return { ...applied, replayed: true };
      throw e;
    }
    const result = await commitDecision(rt, op, found.version, item, decision, now);
    if (result) return result;
    await delay(Math.random() * 5 * (attempt + 1));
  }
  throw new Error(`operation ${op.id} on ${itemId}: too many concurrent changes`);
}

/** Creates a new item under a fresh notice number of the year (the same number if the op is retried). */
export async function createItem(
  rt: Runtime,
  op: Op,
  year: number,
  build: (seq: number, now: number) => { item: Item } & Decision,
): Promise<Outcome> {
  const done = await rt.store.getOutcome<Outcome>(op.id);
  if (done) return { ...done, replayed: true };
  const seq = await rt.store.nextSeq(year, op.id);
  const now = rt.clock.now();
  const { item, ...decision } = build(seq, now);
  const result = await commitDecision(rt, op, 0, item, decision, now);
  if (result) return result;
  throw new Error(`item ${item.id} already exists`);
}

async function commitDecision(
  rt: Runtime,
  op: Op,
  version: number,
  item: Item,
  decision: Decision,
  now: number,
): Promise<Outcome | undefined> {
  const audits = decision.audits.map((a) => toEntry(op, item.id, now, a));
  if (itemShouldComplete(item)) {
    item.status = 'completed';
    item.completedAt = now;
    audits.push(toEntry(op, item.id, now, { action: 'complete_item', from: 'open', to: 'completed' }));
  }
  const outcome: Outcome = { itemId: item.id, deliveries: decision.deliveries, toast: decision.toast };
  const res = await rt.store.commit(op.id, version, item, audits, outcome);
  if (res.kind === 'ok') return outcome;
  if (res.kind === 'dup') return { ...res.outcome, replayed: true };
  return undefined;
}

function toEntry(op: Op, itemId: string, now: number, a: AuditDraft): AuditEntry {
  return {
    at: now,
    actor: op.actor.person,
    platform: op.actor.platform,
    platformId: op.actor.platformId,
    action: a.action,
    item: itemId,
    unit: a.unit,
    from: a.from,
    to: a.to,
    detail: a.detail ? JSON.stringify(a.detail) : undefined,
  };
}
