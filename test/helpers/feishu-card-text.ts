// Reading a Feishu card as its reader does: every object of its JSON, and its words with the markdown escapes undone.

type Json = Record<string, any>;

/** Every object in the tree (elements, columns, forms, buttons, …), depth first. */
export function nodes(value: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const v of value) nodes(v, out);
  else if (value !== null && typeof value === 'object') {
    out.push(value as Json);
    for (const v of Object.values(value)) nodes(v, out);
  }
  return out;
}

/** What a reader sees of markdown: numeric entities decoded, no-break spaces as spaces. */
export function decode(md: string): string {
  return md.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/\u00a0/g, ' ');
}

/** A card's words as Feishu shows them: its markdown and plain texts, decoded, without font tags and bold marks. */
export function shownText(card: unknown): string {
  return decode(
    nodes(card)
      .flatMap((n) => (n.tag === 'markdown' || n.tag === 'plain_text' ? [String(n.content)] : []))
      .join('\n'),
  )
    .replace(/<\/?font[^>]*>/g, '')
    .replace(/\*\*/g, '');
}
