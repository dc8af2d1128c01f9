// Asking for a file to be made (/台账 导出, /归档): the command answers “正在生成…” at once and puts the work on the
// render queue, under a job id fixed by the command's operation, so that a command run twice asks once.
import { createHash } from 'node:crypto';
import type { ReplyTarget } from '../chat/event.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { LedgerFilter } from './ledger-select.ts';

export type RenderRequest =
  /** The ledger's rows that match, as an .xlsx. */
  | { kind: 'ledger'; person: string; to: ReplyTarget; filter: LedgerFilter }
  /** An item's archive record as a PDF; `units`: only these units' part (a unit's own people). */
  | { kind: 'archive'; person: string; to: ReplyTarget; itemId: string; units?: string[] };

/** A BullMQ job id for the operation (no ':', which BullMQ forbids). */
export function renderJobId(opId: string): string {
  return `r-${createHash('sha256').update(opId).digest('base64url').slice(0, 32)}`;
}

export async function requestRender(rt: Pick<Runtime, 'queues'>, opId: string, req: RenderRequest): Promise<void> {
  await rt.queues.render.add(req.kind, req, { jobId: renderJobId(opId) });
}
