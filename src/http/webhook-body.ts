// Reads a platform's webhook body, or says how to refuse one that cannot be read: the same answer on every platform.
import type { IncomingMessage } from 'node:http';
import { BodyError, readRawBody } from './raw-body.ts';

/** A body that cannot be read: the status to answer, a short reason for the platform, and why (for the debug log). */
export interface UnreadBody {
  status: BodyError['status'];
  reason: string;
  why: string;
}

const REASONS: Record<BodyError['status'], string> = { 400: 'bad request', 413: 'body too large', 415: 'unsupported encoding' };

/** The exact bytes sent, at most `limit`, or how to refuse them; an error that is not about the body is thrown. */
export async function readWebhookBody(req: IncomingMessage, limit: number): Promise<{ raw: Buffer } | { unread: UnreadBody }> {
  try {
    return { raw: await readRawBody(req, limit) };
  } catch (e) {
    if (!(e instanceof BodyError)) throw e;
    return { unread: { status: e.status, reason: REASONS[e.status], why: e.message } };
  }
}
