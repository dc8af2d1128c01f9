// What kind of file an attachment is, from its first bytes (a platform's word for it is a hint, not a fact), and a
// name for it when the platform gives none (a photo sent as an image has no name).
import { dateInTz, formatDateTime } from '../domain/dates.ts';

const SIGNATURES: { mime: string; ext: string; magic: number[]; at?: number }[] = [
  { mime: 'image/png', ext: 'png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/jpeg', ext: 'jpg', magic: [0xff, 0xd8, 0xff] },
  { mime: 'image/gif', ext: 'gif', magic: [0x47, 0x49, 0x46, 0x38] },
  { mime: 'image/webp', ext: 'webp', magic: [0x57, 0x45, 0x42, 0x50], at: 8 },
  { mime: 'image/bmp', ext: 'bmp', magic: [0x42, 0x4d] },
  { mime: 'application/pdf', ext: 'pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
  csv: 'text/csv',
  zip: 'application/zip',
  wps: 'application/vnd.ms-works',
  ofd: 'application/ofd',
};

export const OCTET_STREAM = 'application/octet-stream';

/** The type of a file: its first bytes when they say, else its name's extension, else the platform's word, else octet-stream. */
export function fileType(head: Uint8Array, name?: string, hint?: string): string {
  for (const s of SIGNATURES) {
    const at = s.at ?? 0;
    if (head.length >= at + s.magic.length && s.magic.every((b, i) => head[at + i] === b)) {
      // RIFF….WEBP: the first four bytes say RIFF.
      if (s.ext === 'webp' && !(head[0] === 0x52 && head[1] === 0x49 && head[2] === 0x46 && head[3] === 0x46)) continue;
      return s.mime;
    }
  }
  const ext = name ? /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase() : undefined;
  const given = hint?.split(';')[0]?.trim().toLowerCase();
  return (ext && BY_EXTENSION[ext]) ?? (given && /^[a-z]+\/[a-z0-9.+-]+$/.test(given) ? given : OCTET_STREAM);
}

/** Sent back as a picture rather than a file: what every platform shows inline. */
export function isPicture(mime: string): boolean {
  return mime === 'image/png' || mime === 'image/jpeg';
}

export function extensionOf(mime: string): string | undefined {
  return SIGNATURES.find((s) => s.mime === mime)?.ext;
}

/** A file's name as given, made safe to show and to send: no path, no control characters, not too long. */
export function cleanName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!base || base === '.' || base === '..') return undefined;
  const chars = [...base];
  if (chars.length <= 100) return base;
  const ext = /\.[A-Za-z0-9]{1,5}$/.exec(base)?.[0] ?? '';
  return chars.slice(0, 100 - ext.length).join('') + ext;
}

/** The name of a file sent without one (a picture, mostly): 图片-<local date>-<hhmm>.<ext> (图片-20261009-1430.jpg). */
export function unnamedFile(mime: string, picture: boolean, at: number, tz: string): string {
  const hhmm = formatDateTime(at, tz).slice(-5).replace(':', '');
  const ext = extensionOf(mime) ?? (picture ? 'jpg' : 'bin');
  return `${picture ? '图片' : '文件'}-${dateInTz(at, tz).replace(/-/g, '')}-${hhmm}.${ext}`;
}
