// The CJK font that PDFs (/归档, /通报 导出) and the /统计 chart are drawn with (DUCHA_PDF_FONT): a font file, or a
// face of a collection as `path#PostScriptName` (Noto Sans CJK's .ttc holds the Japanese, Simplified Chinese,
// Traditional and Korean faces; its first is Japanese, whose glyph shapes are not the ones Chinese readers expect).
// Missing, it is said at start-up and by each command that needs it.
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Config } from '../infra/config.ts';

/** A usable font: its file, and the face's PostScript name (a single-face file's own name otherwise). */
export interface CjkFont {
  path: string;
  family: string;
}

export type PdfFont = ({ ok: true; postscriptName?: string } & CjkFont) | { ok: false; path: string; problem: string };

/** What DUCHA_PDF_FONT names, and whether its file is there. */
export function pdfFont(config: Pick<Config, 'pdfFont'>): PdfFont {
  const spec = config.pdfFont;
  const hash = spec.lastIndexOf('#');
  const path = hash > 0 ? spec.slice(0, hash) : spec;
  const postscriptName = hash > 0 ? spec.slice(hash + 1).trim() || undefined : undefined;
  if (!existsSync(path)) {
    return {
      ok: false,
      path,
      problem: `PDF 字体文件不存在（DUCHA_PDF_FONT=${spec}）：/归档 无法生成 PDF，/统计 不附图表。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），或把 DUCHA_PDF_FONT 设为一个中文字体文件（.ttc 写成 路径#PostScript名称）`,
    };
  }
  if (/\.(ttc|otc)$/i.test(path) && !postscriptName) {
    return { ok: false, path, problem: `PDF 字体是字体集（DUCHA_PDF_FONT=${spec}），须用 # 指明其中的字体，如 ${path}#NotoSansCJKsc-Regular` };
  }
  return { ok: true, path, family: postscriptName ?? basename(path, extname(path)), ...(postscriptName ? { postscriptName } : {}) };
}

/** The font to draw with, or undefined when it cannot be used: the caller then says so instead of drawing boxes. */
export function cjkFont(config: Pick<Config, 'pdfFont'>): CjkFont | undefined {
  const f = pdfFont(config);
  return f.ok ? { path: f.path, family: f.family } : undefined;
}

/** What a person is told when the archive cannot be drawn for want of the font. */
export const PDF_FONT_MISSING = '服务器缺少生成 PDF 所需的中文字体，暂时无法生成归档文件。请联系系统管理员（安装 fonts-noto-cjk 或设置 DUCHA_PDF_FONT）。';

/**
 * The family name an SVG renderer matches for a face: Noto's CJK PostScript names (NotoSansCJKsc-Regular) map to
 * their family (Noto Sans CJK SC); any other font is named by its PostScript name, and the renderer, given that one
 * file only, falls back to it.
 */
export function fontFamilyOf(font: CjkFont): string {
  const noto = /^Noto(Sans|Serif)(Mono)?CJK(sc|tc|jp|kr|hk)-/i.exec(font.family);
  if (noto) return `Noto ${noto[1]}${noto[2] ? ` ${noto[2]}` : ''} CJK ${noto[3]!.toUpperCase()}`;
  return font.family;
}

/**
 * The parsed font, kept for the process's next documents: reading and parsing a 20 MB collection takes about a second,
 * every time. pdfkit takes a parsed (fontkit) font as a font source; each document still embeds its own subset.
 */
let parsed: { key: string; font: unknown } | undefined;

/** Registers the font as `cjk` on the document and selects it. */
export function useCjkFont(doc: PDFKit.PDFDocument, font: { path: string; postscriptName?: string }): void {
  const key = `${font.path}#${font.postscriptName ?? ''}`;
  if (parsed?.key === key) doc.registerFont('cjk', parsed.font as Buffer);
  else {
    doc.registerFont('cjk', font.path, font.postscriptName as string);
    doc.font('cjk');
    parsed = { key, font: (doc as unknown as { _font: { font: unknown } })._font.font };
  }
  doc.font('cjk');
}
