// Reads WeCom's callback XML: a flat <xml> of text elements (CDATA or not, whitespace between or not). A strict
// scanner of just that shape: no DTD, entity, comment, attribute or nesting is understood, so none can be abused
// (an entity bomb is refused, not expanded); values are the exact strings sent (`007` stays `007`, a 19-digit MsgId
// stays whole). Written for this one shape because a general XML parser costs half of the callback's time.

export class XmlError extends Error {
  override name = 'XmlError';
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The predefined and numeric character references of plain text; nothing expands beyond one character. */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const CDATA_OPEN = '<![CDATA[';

/** The children of the root <xml> element, as strings. Anything else than that flat shape is refused. */
export function parseWecomXml(text: string): Record<string, string> {
  let i = 0;
  const fail = (why: string): never => {
    throw new XmlError(`${why} at ${i}`);
  };
  const skipSpace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, i)) fail(`expected ${s}`);
    i += s.length;
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) return fail('expected an element name');
    i += m[0].length;
    return m[0];
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  skipSpace();
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
    skipSpace();
  }
  expect('<xml>');
  const out: Record<string, string> = {};
  for (;;) {
    skipSpace();
    if (text.startsWith('</xml>', i)) {
      i += 6;
      skipSpace();
      if (i !== text.length) fail('content after </xml>');
      return out;
    }
    expect('<');
    const key = name();
    if (Object.hasOwn(out, key)) fail(`<${key}> repeated`);
    if (text.startsWith('/>', i)) {
      i += 2;
      out[key] = '';
      continue;
    }
    expect('>');
    let value: string;
    if (text.startsWith(CDATA_OPEN, i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA');
      value = text.slice(i + CDATA_OPEN.length, end);
      i = end + 3;
    } else {
      const end = text.indexOf('<', i);
      if (end < 0) fail('unterminated element');
      value = decodeEntities(text.slice(i, end));
      i = end;
    }
    expect(`</${key}>`);
    out[key] = value;
  }
}
