import { clip, round, svgOpen, svgText } from './svg.js';
import { clock, type TrafficCharts, type TrafficSeries } from './traffic-series.js';

/**
 * One small bar chart per series: a bar per minute of the last hour, labelled axes, the
 * minutes with 5xx answers shaded and the primary's changes drawn as dashed lines, so a
 * failover leaves its mark on every chart. The tables below are the text alternative.
 */
const W = 320;
const H = 150;
const LEFT = 44;
const RIGHT = 310;
const TOP = 26;
const BOTTOM = 108;

export function chartsSvg(charts: TrafficCharts): string[] {
  return charts.series.map((series) => chartSvg(charts, series));
}

export function chartSvg(charts: TrafficCharts, series: TrafficSeries): string {
  const n = Math.max(1, charts.minutes.length);
  const step = (RIGHT - LEFT) / n;
  const top = niceMax(Math.max(0, ...series.values));
  const x = (i: number) => LEFT + i * step;
  const y = (v: number) => BOTTOM - (v / top) * (BOTTOM - TOP);
  const bands = charts.errorMinutes.map((i) => `<rect x="${round(x(i))}" y="${TOP}" width="${round(step)}" height="${BOTTOM - TOP}" class="err-band"/>`);
  const bars = series.values.map((v, i) => (v > 0 ? `<rect x="${round(x(i) + step * 0.12)}" y="${round(y(v))}" width="${round(step * 0.76)}" height="${round(BOTTOM - y(v))}" class="bar"/>` : ''));
  const events = charts.primaryChanges.map((m) => eventLine(x(m.index) + step / 2, m.label));
  return (
    svgOpen(`chart-${series.id}`, `chart chart-${series.id}`, W, H, `${series.title} per minute, last hour`, describe(charts, series)) +
    svgText(4, 14, `${series.title} per minute`, 'chart-title') +
    bands.join('') +
    axes(charts.minutes, top) +
    bars.join('') +
    events.join('') +
    '</svg>'
  );
}

/** The y axis from 0 to `top`, the x axis with three times, and both axes' titles. */
function axes(minutes: string[], top: number): string {
  const n = minutes.length;
  const ticks = n ? [0, Math.floor((n - 1) / 2), n - 1] : [];
  const step = (RIGHT - LEFT) / Math.max(1, n);
  const xLabels = ticks.map((i, k) => svgText(LEFT + i * step + step / 2, BOTTOM + 15, clock(minutes[i]!), 'axis-label', k === 0 ? 'start' : k === 2 ? 'end' : 'middle'));
  return (
    `<path d="M${LEFT} ${TOP}V${BOTTOM}H${RIGHT}" class="axis"/>` +
    svgText(LEFT - 4, TOP + 4, String(top), 'axis-label', 'end') +
    svgText(LEFT - 4, BOTTOM, '0', 'axis-label', 'end') +
    `<text x="${-(TOP + BOTTOM) / 2}" y="12" transform="rotate(-90)" text-anchor="middle" class="axis-title">count</text>` +
    xLabels.join('') +
    svgText((LEFT + RIGHT) / 2, H - 6, 'minute (UTC)', 'axis-title', 'middle')
  );
}

function eventLine(cx: number, label: string): string {
  const anchor = cx > (LEFT + RIGHT) / 2 ? 'end' : 'start';
  const dx = anchor === 'end' ? -3 : 3;
  // The label sits above the plot, clear of the bars.
  return `<path d="M${round(cx)} ${TOP - 2}V${BOTTOM}" class="event-line"/>${svgText(cx + dx, TOP - 5, clip(label, 24), 'event-label', anchor)}`;
}

/** The axis top: the peak rounded up to 1, 2 or 5 times a power of ten (at least 1). */
export function niceMax(peak: number): number {
  if (peak <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(peak));
  return ([1, 2, 5, 10].map((m) => m * power).find((v) => v >= peak) ?? 10 * power);
}

/** The chart in words: total, peak, the 5xx minutes and the primary's changes. */
function describe(charts: TrafficCharts, series: TrafficSeries): string {
  const total = series.values.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...series.values);
  const at = series.values.indexOf(peak);
  const parts = [`${total} in the last hour`, total ? `peak ${peak} at ${clock(charts.minutes[at]!)} UTC` : 'none'];
  if (charts.errorMinutes.length) parts.push(`minutes with 5xx answers shaded: ${charts.errorMinutes.map((i) => clock(charts.minutes[i]!)).join(', ')}`);
  for (const m of charts.primaryChanges) parts.push(`${m.label} at ${clock(charts.minutes[m.index]!)}`);
  return `${parts.join('; ')}.`;
}
