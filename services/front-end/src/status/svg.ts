/** Small helpers for the hand-written SVG of /status: escaping, and text that fits its box. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside SVG elements and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** `text` cut to `max` characters with an ellipsis; the full text goes in a <title>. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** A <text> element; `cls` picks its style from style.css (the CSP allows no inline styles). */
export function svgText(x: number, y: number, content: string, cls: string, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  const anchorAttr = anchor === 'start' ? '' : ` text-anchor="${anchor}"`;
  return `<text x="${round(x)}" y="${round(y)}" class="${cls}"${anchorAttr}>${escapeXml(content)}</text>`;
}

/** Coordinates with at most one decimal, so the markup stays short. */
export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The opening of an accessible SVG: role="img", named by its <title> and described by its <desc>. */
export function svgOpen(id: string, cls: string, width: number, height: number, title: string, desc: string): string {
  return (
    `<svg class="${cls}" viewBox="0 0 ${round(width)} ${round(height)}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(desc)}</desc>`
  );
}
