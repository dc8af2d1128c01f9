// The part of fontkit's API the chart uses to draw text as outlines (fontkit comes with pdfkit and ships no types).
declare module 'fontkit' {
  interface Path {
    toSVG(): string;
  }
  interface Glyph {
    id: number;
    path: Path;
  }
  interface GlyphPosition {
    xAdvance: number;
    xOffset: number;
    yOffset: number;
  }
  interface GlyphRun {
    glyphs: Glyph[];
    positions: GlyphPosition[];
  }
  interface Font {
    unitsPerEm: number;
    ascent: number;
    descent: number;
    'OS/2'?: { typoAscender?: number; typoDescender?: number };
    layout(text: string): GlyphRun;
  }
  export function openSync(path: string, postscriptName?: string): Font;
}
