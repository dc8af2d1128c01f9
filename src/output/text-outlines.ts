// Draws an SVG's text as outlines, with the font read once per process (fontkit): the PNG renderer then needs no font,
// and a CJK font of 16 MB is not read again for every glyph (resvg reads a font file anew per glyph: seconds per chart).
// Handles the <text> ECharts writes: one line, font-size in its style, text-anchor, dominant-baseline, x/y, a transform.
import { openSync, type Font } from 'fontkit';
import type { CjkFont } from './pdf-font.ts';

interface Loaded {
  font: Font;
  /** Each glyph's outline (SVG path data, font units, y up), made once. */
  paths: Map<number, string>;
  /** Where the centre of the ideographic em box lies above the baseline, in font units (dominant-baseline: central). */
  centre: number;
}

const loaded = new Map<string, Loaded>();

function load(f: CjkFont): Loaded {
  const key = `${f.path}#${f.family}`;
  let l = loaded.get(key);
  if (!l) {
    const font = /\.(ttc|otc)$/i.test(f.path) ? openSync(f.path, f.family) : openSync(f.path);
    const os2 = font['OS/2'];
    const top = os2?.typoAscender ?? font.ascent;
    const bottom = os2?.typoDescender ?? font.descent;
    l = { font, paths: new Map(), centre: (top + bottom) / 2 };
    loaded.set(key, l);
  }
  return l;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? m),
  );
}

const attr = (attrs: string, name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
const num = (s: string | undefined) => (s === undefined ? 0 : Number(s) || 0);

/** The SVG with every <text> element replaced by a group of glyph outlines in the same place and colour. */
export function outlineText(svg: string, font: CjkFont): string {
  const l = load(font);
  return svg.replace(/<text([^>]*)>([^<]*)<\/text>/g, (_m, attrs: string, content: string) => {
    const text = unescape(content);
    const size = Number(/font-size:\s*([\d.]+)px/.exec(attrs)?.[1] ?? 12);
    const scale = size / l.font.unitsPerEm;
    const run = l.font.layout(text);
    const width = run.positions.reduce((w, p) => w + p.xAdvance, 0) * scale;
    const anchor = attr(attrs, 'text-anchor') ?? 'start';
    const baseline = attr(attrs, 'dominant-baseline');
    let x = num(attr(attrs, 'x')) - (anchor === 'middle' ? width / 2 : anchor === 'end' ? width : 0);
    const y = num(attr(attrs, 'y')) + (baseline === 'central' || baseline === 'middle' ? l.centre * scale : 0);
    const parts: string[] = [];
    run.glyphs.forEach((g, i) => {
      const p = run.positions[i]!;
      let d = l.paths.get(g.id);
      if (d === undefined) l.paths.set(g.id, (d = g.path.toSVG()));
      if (d) parts.push(`<path transform="translate(${(x + p.xOffset * scale).toFixed(2)} ${(y - p.yOffset * scale).toFixed(2)}) scale(${scale.toFixed(5)} ${(-scale).toFixed(5)})" d="${d}"/>`);
      x += p.xAdvance * scale;
    });
    const keep = ['transform', 'fill', 'opacity', 'fill-opacity'].flatMap((n) => {
      const v = attr(attrs, n);
      return v === undefined ? [] : [`${n}="${v}"`];
    });
    return `<g ${keep.join(' ')}>${parts.join('')}</g>`;
  });
}
