import type { LaneId } from '../lanes/lane.js';
import type { Mode } from '../types.js';
import type { LaneSummary } from './summary.js';

/** Hand-written SVG: no chart dependency, readable diffs, renders on GitHub. */

const COLORS: Record<LaneId, string> = {
  direct: '#6b7280',
  'bare-proxy': '#2563eb',
  'tokenhub-pglite': '#16a34a',
  'tokenhub-baseline': '#65a30d',
  'tokenhub-machine': '#0d9488',
  'tokenhub-postgres': '#9333ea',
  'tokenhub-anthropic': '#ea580c',
  portkey: '#dc2626',
};

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function frame(width: number, height: number, title: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(entries: { label: string; color: string; dashed?: boolean }[], x: number, y: number): string {
  return entries
    .map((entry, index) => {
      const top = y + index * 18;
      const dash = entry.dashed ? ' stroke-dasharray="5 3"' : '';
      return `<line x1="${x}" y1="${top}" x2="${x + 22}" y2="${top}" stroke="${entry.color}" stroke-width="2.5"${dash}/><text x="${x + 28}" y="${top + 4}">${escapeXml(entry.label)}</text>`;
    })
    .join('\n');
}

/** p50 (solid) and p99 (dashed) latency vs offered load, log scale, one colour per lane. */
export function latencyChart(summaries: LaneSummary[], mode: Mode, delayMs: number): string | null {
  const series = summaries.flatMap((lane) => {
    const loads = lane.modes[mode]?.loads.filter((load) => load.delayMs === delayMs) ?? [];
    return loads.length ? [{ lane, loads }] : [];
  });
  if (series.length === 0) return null;
  const rates = [...new Set(series.flatMap((entry) => entry.loads.map((load) => load.rate)))].sort((a, b) => a - b);
  const values = series.flatMap((entry) => entry.loads.flatMap((load) => [load.p50.median, load.p99.median])).filter((value) => value > 0);
  const width = 760;
  const height = 420;
  const plot = { left: 70, right: 250, top: 40, bottom: 50 };
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const low = Math.log10(Math.max(1, Math.min(...values)) / 1.3);
  const high = Math.log10(Math.max(...values) * 1.3);
  const y = (micros: number): number => plot.top + plotHeight - ((Math.log10(Math.max(micros, 1)) - low) / (high - low || 1)) * plotHeight;
  const x = (rate: number): number =>
    plot.left + (rates.length === 1 ? plotWidth / 2 : (rates.indexOf(rate) / (rates.length - 1)) * plotWidth);
  const parts: string[] = [];
  parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#d1d5db"/>`);
  for (let exponent = Math.ceil(low); exponent <= Math.floor(high); exponent++) {
    for (const factor of [1, 2, 5]) {
      const micros = factor * 10 ** exponent;
      if (Math.log10(micros) < low || Math.log10(micros) > high) continue;
      const label = micros >= 1000 ? `${micros / 1000} ms` : `${micros} µs`;
      parts.push(`<line x1="${plot.left}" x2="${plot.left + plotWidth}" y1="${y(micros)}" y2="${y(micros)}" stroke="#eef0f3"/>`);
      parts.push(`<text x="${plot.left - 6}" y="${y(micros) + 4}" text-anchor="end" fill="#4b5563">${label}</text>`);
    }
  }
  for (const rate of rates) {
    parts.push(`<text x="${x(rate)}" y="${plot.top + plotHeight + 18}" text-anchor="middle" fill="#4b5563">${rate}</text>`);
  }
  parts.push(`<text x="${plot.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">offered load (requests/s, open loop)</text>`);
  for (const { lane, loads } of series) {
    const color = COLORS[lane.id];
    for (const [key, dashed] of [
      ['p50', false],
      ['p99', true],
    ] as const) {
      const points = loads.map((load) => `${x(load.rate).toFixed(1)},${y(load[key].median).toFixed(1)}`);
      const dash = dashed ? ' stroke-dasharray="5 3"' : '';
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      for (const point of points) {
        const [px, py] = point.split(',');
        parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
      }
    }
  }
  const entries = series.map(({ lane }) => ({ label: lane.label, color: COLORS[lane.id] }));
  parts.push(
    legend([...entries, { label: 'solid: p50, dashed: p99', color: '#111827', dashed: true }], width - plot.right + 16, plot.top + 10),
  );
  const title = `${mode === 'json' ? 'Non-streaming' : 'Streaming'} latency vs offered load (upstream +${delayMs} ms)`;
  return frame(width, height, title, parts.join('\n'));
}

/** Saturation throughput per lane, non-streaming and streaming side by side. */
export function throughputChart(summaries: LaneSummary[]): string | null {
  const lanes = summaries.filter((lane) => lane.modes.json || lane.modes.stream);
  if (lanes.length === 0) return null;
  const width = 760;
  const rowHeight = 46;
  const plot = { left: 300, right: 90, top: 50 };
  const height = plot.top + lanes.length * rowHeight + 40;
  const max = Math.max(
    ...lanes.flatMap((lane) => [lane.modes.json?.saturationRps.median ?? 0, lane.modes.stream?.saturationRps.median ?? 0]),
    1,
  );
  const scale = (width - plot.left - plot.right) / max;
  const parts: string[] = [];
  lanes.forEach((lane, index) => {
    const top = plot.top + index * rowHeight;
    parts.push(`<text x="${plot.left - 10}" y="${top + 22}" text-anchor="end">${escapeXml(lane.label)}</text>`);
    (['json', 'stream'] as const).forEach((mode, modeIndex) => {
      const summary = lane.modes[mode];
      const barTop = top + 4 + modeIndex * 19;
      if (!summary) {
        parts.push(`<text x="${plot.left + 4}" y="${barTop + 13}" fill="#9ca3af">${mode}: not measured / failed</text>`);
        return;
      }
      const barWidth = Math.max(1, summary.saturationRps.median * scale);
      const opacity = mode === 'json' ? 1 : 0.55;
      parts.push(
        `<rect x="${plot.left}" y="${barTop}" width="${barWidth.toFixed(1)}" height="16" fill="${COLORS[lane.id]}" fill-opacity="${opacity}"/>`,
      );
      parts.push(
        `<text x="${plot.left + barWidth + 6}" y="${barTop + 13}">${Math.round(summary.saturationRps.median).toLocaleString('en-US')} ${mode === 'json' ? 'JSON' : 'SSE'}</text>`,
      );
    });
  });
  parts.push(
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle" fill="#4b5563">requests/s at saturation (32 connections, median of repetitions); solid: non-streaming, light: streaming</text>`,
  );
  return frame(width, height, 'Saturation throughput', parts.join('\n'));
}
