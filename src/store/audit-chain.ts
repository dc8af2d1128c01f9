// The hash chain of an item's audit trail, computed in Node exactly as the commit script computes it in Redis: each
// entry's link `h` is the sha1 of the previous entry's link and the entry's own fields, so changing, removing,
// inserting or reordering an entry breaks every link after it.
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

/** The hex sha256 of a report's text, as kept on the report and its signature. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
