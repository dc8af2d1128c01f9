// The bulletin draft as a PDF (/通报 导出): the same text, on A4, in the CJK font of pdf-font.ts (pdfkit embeds only the
// glyphs used, so a bulletin stays small). The title centred and larger, section headings bold-looking by size.
import { extname } from 'node:path';
import PDFDocument from 'pdfkit';
import type { CjkFont } from './pdf-font.ts';

/** Renders the bulletin text: its first line is the title, a line like 一、… a heading. */
export function bulletinPdf(text: string, font: CjkFont, meta: { title: string; at: number }): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margins: { top: 72, bottom: 72, left: 80, right: 80 }, info: { Title: meta.title, Creator: 'ducha' } });
  const collection = ['.ttc', '.otc'].includes(extname(font.path).toLowerCase());
  if (collection) doc.registerFont('cjk', font.path, font.family);
  else doc.registerFont('cjk', font.path);
  doc.font('cjk');
  doc.info.CreationDate = new Date(meta.at);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (i === 0) doc.fontSize(22).text(line, { align: 'center' });
    else if (i === 1 && /^（.*）$/.test(line)) doc.fontSize(14).text(line, { align: 'center' });
    else if (/^[一二三四五六七八九十]+、/.test(line)) doc.moveDown(0.3).fontSize(15).text(line);
    else if (line === '') doc.moveDown(0.5);
    else doc.fontSize(12).text(line, { lineGap: 4, align: /^\d+\. /.test(line) ? 'left' : 'justify' });
  });
  doc.end();
  return done;
}
