import { clip, escapeXml, round, svgOpen, svgText } from './svg.js';
import { describeTopology, HEALTH_WORDS, type Topology, type TopologyBox, type TopologyTier } from './topology.js';
import type { Health } from './types.js';

/**
 * The topology as inline SVG: tiers left to right on a wide screen ("wide"), top to bottom on a
 * phone ("narrow"), one box per replica. Health is a colour, a shape and a word, so no reader
 * depends on colour; the colours come from style.css classes, which follow the colour scheme.
 */
export type TopologyLayout = 'wide' | 'narrow';

interface Geometry {
  boxWidth: number;
  width: number;
  /** Where tier `index` starts, given how far down the previous ones reach. */
  origin(index: number, below: number): { x: number; y: number };
}

const PAD = 8;
const HEAD = 48;
const BOX_H = 80;
const GAP = 10;
const COLUMN_GAP = 40;
const ROW_GAP = 28;
/** About how many characters of 12 px text fit per pixel of box width. */
const CHARS_PER_PX = 1 / 7;

const GEOMETRY: Record<TopologyLayout, Geometry> = {
  // A fifth tier (HAProxy and etcd) goes under the database's column.
  wide: { boxWidth: 212, width: PAD * 2 + 4 * 212 + 3 * COLUMN_GAP, origin: (i, below) => (i < 4 ? { x: PAD + i * (212 + COLUMN_GAP), y: PAD } : { x: PAD + 3 * (212 + COLUMN_GAP), y: below + ROW_GAP }) },
  narrow: { boxWidth: 284, width: 300, origin: (i, below) => ({ x: PAD, y: i === 0 ? PAD : below + ROW_GAP }) },
};

export function topologySvg(topology: Topology, layout: TopologyLayout): string {
  const g = GEOMETRY[layout];
  const parts: string[] = [];
  let below = 0;
  let deepest = 0;
  topology.tiers.forEach((tier, i) => {
    const { x, y } = g.origin(i, below);
    parts.push(drawTier(tier, x, y, g.boxWidth));
    below = y + HEAD + Math.max(1, tier.boxes.length) * (BOX_H + GAP) - GAP;
    deepest = Math.max(deepest, below);
    if (i > 0) parts.push(arrow(layout, g, i, y));
  });
  const title = `Topology: ${topology.tiers.map((t) => `${t.title} ${HEALTH_WORDS[t.health]}`).join(', ')}`;
  return `${svgOpen(`topology-${layout}`, `topology topology-${layout}`, g.width, deepest + PAD, title, describeTopology(topology))}${parts.join('')}</svg>`;
}

function drawTier(tier: TopologyTier, x: number, y: number, width: number): string {
  const head = svgText(x, y + 16, tier.title, 'tier-title') + svgText(x, y + 34, `${HEALTH_WORDS[tier.health]} · ${count(tier.boxes.length)}`, 'tier-health');
  const boxes = tier.boxes.length ? tier.boxes : [{ id: 'none visible', health: 'unknown' as const, status: 'see the notes below', marks: [], facts: [] }];
  return `<g class="tier" data-tier="${tier.key}">${head}${boxes.map((b, i) => drawBox(b, x, y + HEAD + i * (BOX_H + GAP), width)).join('')}</g>`;
}

const count = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

function drawBox(box: TopologyBox, x: number, y: number, width: number): string {
  const chars = Math.floor((width - 40) * CHARS_PER_PX);
  const marked = box.marks.length > 0 ? ' marked' : '';
  const rows: [string, string][] = [[box.status, 'box-status']];
  if (box.marks.length) rows.push([box.marks.join(' · '), 'box-mark']);
  if (box.facts.length) rows.push([box.facts.join(' · '), 'box-fact']);
  const lines = [svgText(x + 32, y + 22, clip(box.id, chars), 'box-id'), ...rows.map(([text, cls], i) => svgText(x + 32, y + 40 + i * 16, clip(text, chars), cls))];
  return (
    `<g class="box h-${box.health}${marked}" data-id="${escapeXml(box.id)}" data-marks="${escapeXml(box.marks.join(','))}">` +
    `<title>${escapeXml([box.id, box.status, ...box.marks, ...box.facts].join(', '))}</title>` +
    `<rect x="${x}" y="${y}" width="${width}" height="${BOX_H}" rx="6" class="box-frame"/>` +
    healthIcon(box.health, x + 16, y + 18) +
    lines.join('') +
    '</g>'
  );
}

/** A shape per health, so it reads without colour: a disc, a triangle, a cross, a ring. */
export function healthIcon(health: Health, cx: number, cy: number): string {
  switch (health) {
    case 'ok':
      return `<circle cx="${cx}" cy="${cy}" r="7" class="icon"/>`;
    case 'degraded':
      return `<path d="M${cx} ${cy - 8}L${cx + 8} ${cy + 6}H${cx - 8}Z" class="icon"/>`;
    case 'down':
      return `<path d="M${cx - 6} ${cy - 6}L${cx + 6} ${cy + 6}M${cx + 6} ${cy - 6}L${cx - 6} ${cy + 6}" class="icon-stroke"/>`;
    default:
      return `<circle cx="${cx}" cy="${cy}" r="6" class="icon-ring"/>`;
  }
}

/** The arrow into tier `i`: from the previous column, or from the tier above. */
function arrow(layout: TopologyLayout, g: Geometry, i: number, y: number): string {
  // HAProxy and etcd serve the database rather than receive from it: a plain line, no arrow head.
  if (i >= 4) {
    const cx = round(g.origin(i, 0).x + g.boxWidth / 2);
    return `<path d="M${cx} ${y - ROW_GAP + 4}V${y - 4}" class="flow"/>`;
  }
  if (layout === 'wide') {
    const x1 = g.origin(i - 1, 0).x + g.boxWidth + 6;
    const x2 = g.origin(i, 0).x - 6;
    const ay = y + HEAD + BOX_H / 2;
    return `<path d="M${x1} ${ay}H${x2 - 6}" class="flow"/><path d="M${x2} ${ay}l-8 -5v10Z" class="flow-head"/>`;
  }
  const cx = round(PAD + g.boxWidth / 2);
  return `<path d="M${cx} ${y - ROW_GAP + 4}V${y - 8}" class="flow"/><path d="M${cx} ${y - 2}l-5 -8h10Z" class="flow-head"/>`;
}
