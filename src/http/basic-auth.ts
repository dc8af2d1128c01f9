// HTTP Basic auth against one password (the console's, the admin's): parsed strictly and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A check of `Authorization: Basic …` against a password, and a user name when one is asked for (any name passes
 * otherwise). Compared as SHA-256 digests, so the time taken says nothing about the password, not even its length.
 */
export class BasicAuth {
  private readonly want: Buffer;

  constructor(
    password: string,
    private readonly user?: string,
  ) {
    this.want = digest(user === undefined ? password : `${user}:${password}`);
  }

  /** True when the header carries the password (and the user name asked for). */
  allows(header: string | undefined): boolean {
    const m = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return timingSafeEqual(digest(this.user === undefined ? decoded.slice(colon + 1) : decoded), this.want);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
