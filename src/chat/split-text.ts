// Splits a long text into numbered parts that each fit a platform's size limit, at line ends where it can.

/**
 * Splits text into parts of at most maxBytes UTF-8 bytes, at line ends where it can, never inside a character;
 * more than one part are numbered （1/3）….
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return [text];
  const budget = maxBytes - 16; // room for the part number
  const parts: string[] = [];
  let current = '';
  let size = 0;
  const flush = () => {
    if (current) parts.push(current);
    current = '';
    size = 0;
  };
  for (const line of text.split(/(?<=\n)/)) {
    const lineBytes = Buffer.byteLength(line, 'utf8');
    if (size + lineBytes <= budget) {
      current += line;
      size += lineBytes;
      continue;
    }
    flush();
    for (const ch of line) {
      const b = Buffer.byteLength(ch, 'utf8');
      if (size + b > budget) flush();
      current += ch;
      size += b;
    }
  }
  flush();
  return parts.map((p, i) => `（${i + 1}/${parts.length}）${p}`);
}
