// Outbound work as queue jobs: handlers say what should reach whom; the delivery worker does it once.
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { ReplyTarget } from '../chat/event.ts';
import type { Message } from '../chat/message.ts';
import type { SentRef } from './adapter.ts';

/** A stored file as a delivery names it (the bytes are read from DUCHA_FILES_DIR when it is sent). */
export interface FileRef {
  sha256: string;
  name: string;
  mime: string;
  size: number;
}

export type Delivery =
  /** To a person directly, on the one platform they are reached on. A card by key is drawn at send time. */
  | {
      kind: 'send';
      person: string;
      message?: Message;
      cardKey?: string;
      urgent?: boolean;
      /** A receipt chase: say whether the person has opened this earlier card (where the platform can tell). */
      readOf?: string;
      /** The card key of the report this message is about: a file sent in reply to it is attached there. */
      about?: string;
    }
  /** Back to the chat a command came from. `viewer` is whom a card's buttons are for. */
  | { kind: 'reply'; to: ReplyTarget; message?: Message; cardKey?: string; viewer?: string; about?: string }
  /** A stored file, to a person directly or back to the chat a command came from. */
  | { kind: 'file'; person?: string; to?: ReplyTarget; file: FileRef }
  /** Redraw every copy of a card already sent, from the current record. */
  | { kind: 'refresh'; cardKey: string }
  /** Redraw one message (a pressed card, where the platform cannot take the new card in its answer). */
  | { kind: 'update'; ref: SentRef; cardKey: string; viewer: string };

/** A BullMQ job id: stable for the same operation and position, and free of the ':' BullMQ forbids. */
export function deliveryJobId(opId: string, index: number): string {
  return `d-${createHash('sha256').update(`${opId}#${index}`).digest('base64url').slice(0, 32)}`;
}

export async function enqueueDeliveries(queue: Queue, opId: string, deliveries: Delivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await queue.addBulk(
    deliveries.map((d, i) => ({
      name: d.kind,
      data: { ...d, opId },
      opts: { jobId: deliveryJobId(opId, i) },
    })),
  );
}
