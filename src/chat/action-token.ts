// Signs and checks the action payload carried by every card button, so an edited or forged press is refused.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type ActionName =
  | 'issue'
  | 'cancel'
  | 'receive'
  | 'sign'
  | 'send_back'
  | 'accept'
  | 'return'
  | 'confirm_summons'
  | 'agree_extension'
  | 'disagree_extension'
  | 'approve_extension'
  | 'refuse_extension'
  | 'replace_proposal'
  | 'keep_proposal'
  | 'read_review'
  | 'instruct';

export interface ActionPayload {
  /** What the button does. */
  a: ActionName;
  /** Which card it is on (kind:item:unit:n); everything else is read from the store. */
  k: string;
  /** The person the card is for: only they may press it. */
  f: string;
  /** The card the button is shown on, when it is not `k` (a reminder listing several items): redrawn after the press. */
  v?: string;
}

const MAC_BYTES = 16;

export class ActionSigner {
  constructor(private readonly secret: string) {}

  sign(p: ActionPayload): string {
    const body = Buffer.from(JSON.stringify(p.v === undefined ? [p.a, p.k, p.f] : [p.a, p.k, p.f, p.v])).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The payload, or undefined when the token was edited, forged or is not ours. */
  verify(token: string): ActionPayload | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = this.mac(body);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    try {
      const arr = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      if (!Array.isArray(arr) || (arr.length !== 3 && arr.length !== 4) || !arr.every((x) => typeof x === 'string')) return undefined;
      const p: ActionPayload = { a: arr[0] as ActionName, k: arr[1] as string, f: arr[2] as string };
      if (arr.length === 4) p.v = arr[3] as string;
      return p;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(`ducha-action:${body}`).digest().subarray(0, MAC_BYTES);
  }
}
