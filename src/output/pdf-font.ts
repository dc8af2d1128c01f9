// Which font PDFs (and the statistics chart) are drawn with: DUCHA_PDF_FONT (`path` or `path#PostScriptName`), by
// default the Noto Sans CJK SC face of Debian's fonts-noto-cjk. A .ttc holds several faces (Japanese first), so its face
// is chosen by PostScript name: index 0 would draw Chinese with Japanese glyph shapes.
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';

export const DEFAULT_FONT_FILE = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
export const DEFAULT_FONT_FACE = 'NotoSansCJKsc-Regular';

export interface PdfFont {
  /** The font file. */
  path: string;
  /** The face's PostScript name (what pdfkit registers from a collection); a single-face file's own name otherwise. */
  family: string;
}

/**
 * The font to draw with, or undefined when the file is not there (or a collection is named without its face): the
 * caller then says so instead of drawing boxes.
 */
export function pdfFont(config: { pdfFont?: string }): PdfFont | undefined {
  const spec = config.pdfFont?.trim() || `${DEFAULT_FONT_FILE}#${DEFAULT_FONT_FACE}`;
  const hash = spec.lastIndexOf('#');
  const path = hash < 0 ? spec : spec.slice(0, hash);
  let family = hash < 0 ? '' : spec.slice(hash + 1).trim();
  if (!path || !existsSync(path)) return undefined;
  const collection = ['.ttc', '.otc'].includes(extname(path).toLowerCase());
  if (!family) {
    if (path === DEFAULT_FONT_FILE) family = DEFAULT_FONT_FACE;
    else if (collection) return undefined;
    else family = basename(path, extname(path));
  }
  return { path, family };
}

/**
 * The family name an SVG renderer matches for a face: Noto's CJK PostScript names (NotoSansCJKsc-Regular) map to
 * their family (Noto Sans CJK SC); any other font is named by its PostScript name, and the renderer, given that one
 * file only, falls back to it.
 */
export function fontFamilyOf(font: PdfFont): string {
  const noto = /^Noto(Sans|Serif)(Mono)?CJK(sc|tc|jp|kr|hk)-/i.exec(font.family);
  if (noto) return `Noto ${noto[1]}${noto[2] ? ` ${noto[2]}` : ''} CJK ${noto[3]!.toUpperCase()}`;
  return font.family;
}
