// Reads WeCom's callback XML (a flat <xml> of text elements) safely: no DTD or entities at all (an entity bomb is
// refused before parsing), values kept as the exact strings sent (`007` stays `007`, a 19-digit MsgId stays whole).
import { XMLParser } from 'fast-xml-parser';

export class XmlError extends Error {
  override name = 'XmlError';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 8,
  // CDATA apart, so that only plain text has its (five predefined, numeric) entities decoded below.
  cdataPropName: '#cdata',
});

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The predefined and numeric character references of plain XML text; nothing is expanded beyond one character. */
function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The children of the root <xml> element as strings; nested or repeated elements are refused. */
export function parseWecomXml(text: string): Record<string, string> {
  // WeCom never sends a DTD: one here can only be an attack (entity expansion, external entities).
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('DTD not allowed');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (e) {
    throw new XmlError(`not XML: ${(e as Error).message}`);
  }
  const root = (doc as { xml?: unknown } | undefined)?.xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new XmlError('no <xml> root');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    if (k === '#text') continue; // whitespace between elements
    if (typeof v === 'string') out[k] = decodeEntities(v);
    else if (isCdata(v)) out[k] = v['#cdata'];
    else throw new XmlError(`element <${k}> is not text`);
  }
  return out;
}

function isCdata(v: unknown): v is { '#cdata': string } {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === '#cdata' && typeof (v as Record<string, unknown>)['#cdata'] === 'string';
}
