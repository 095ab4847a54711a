import { chartsSvg } from './charts-svg.js';
import { topologySvg } from './topology-svg.js';
import { topologyOf } from './topology.js';
import { trafficChartsOf } from './traffic-series.js';
import type { StatusReport } from './types.js';

/** What views/_status_live.eta draws above the tables: SVG markup (escaped as it was made) and notes. */
export interface StatusPicture {
  topology: { wide: string; narrow: string };
  /** Per tier, what its reading could not see or where it came from. */
  notes: { title: string; note: string }[];
  charts: string[];
}

/** The report drawn: the topology in both layouts (CSS shows one) and the traffic charts. */
export function pictureOf(report: StatusReport): StatusPicture {
  const topology = topologyOf(report);
  return {
    topology: { wide: topologySvg(topology, 'wide'), narrow: topologySvg(topology, 'narrow') },
    notes: topology.tiers.flatMap((t) => (t.note ? [{ title: t.title, note: t.note }] : [])),
    charts: chartsSvg(trafficChartsOf(report)),
  };
}
