// The per-page token of the console: served inside the page, sent back with every API call, so that a page of
// another site (which cannot read ours) cannot act through the console even when it gets a request through.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;

export class PageTokens {
  private readonly key: Buffer;

  /** `secret` is the service's signing secret; the page key is derived from it, so every web process agrees. */
  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('ducha-console-page-key').digest();
  }

  /** A fresh token for one page. */
  issue(): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.mac(nonce).toString('base64url')}`;
  }

  valid(token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const dot = token.indexOf('.');
    if (dot <= 0) return false;
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = this.mac(token.slice(0, dot));
    return given.length === want.length && timingSafeEqual(given, want);
  }

  private mac(nonce: string): Buffer {
    return createHmac('sha256', this.key).update(nonce).digest().subarray(0, MAC_BYTES);
  }
}
