// The hash chain of an item's audit trail, computed in Node exactly as the commit script computes it in Redis: each
// entry's link `h` is the sha1 of the previous entry's link and the entry's own fields, so changing, removing,
// inserting or reordering an entry breaks every link after it. An operation's last entry also carries the seals of
// the records it wrote (`rec`), so the chain vouches for each record's last written state too.
import { createHash } from 'node:crypto';

/** The link of an entry: sha1 over the previous link, then each field but `h` by name, as `name=<bytes>:value`. */
export function chainLink(prev: string, entry: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(entry)
    .filter((k) => k !== 'h')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts = [prev];
  for (const k of names) {
    const v = String(entry[k]);
    parts.push(`${k}=${Buffer.byteLength(v, 'utf8')}:${v}`);
  }
  return createHash('sha1').update(parts.join('\n'), 'utf8').digest('hex');
}

/** In a seal, the name of the item's header (a unit id never starts with `@`). */
export const HEADER_SEAL = '@';

/** A record's seal: the link, from an empty one, of every field of its Redis hash but the chain's own `ah` and `an`. */
export function recordHash(fields: Readonly<Record<string, string>>): string {
  const { ah: _ah, an: _an, ...rest } = fields;
  return chainLink('', rest);
}

/** The seals an entry carries (`@=<hash> <unit>=<hash> …`), by record name; empty when it carries none. */
export function parseSeals(rec: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (rec ?? '').split(' ')) {
    const at = part.lastIndexOf('=');
    if (at > 0) out.set(part.slice(0, at), part.slice(at + 1));
  }
  return out;
}

/** The hex sha256 of a report's text, as kept on the report and its signature. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
