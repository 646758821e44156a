/** A small SVG line chart for the results report: mean lines with ± std bands and marked points. */

export interface PlotPoint {
  x: number;
  y: number;
  err?: number;
}

export interface PlotSeries {
  label: string;
  color: string;
  points: PlotPoint[];
  /** Drawn as isolated markers (e.g. the paper's reported points) instead of a line. */
  markersOnly?: boolean;
  /** A dashed line (e.g. to tell asexual variants from sexual ones of the same colour). */
  dashed?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** A log x axis with ticks at 1, 2, 5 × each power of ten (e.g. efficiencies). */
  logX?: boolean;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** 1, 2, 5 × each power of ten between 10^lo and 10^hi (log10 bounds). */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++)
    for (const m of [1, 2, 5]) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (Math.log10(t) >= lo - 1e-9 && Math.log10(t) <= hi + 1e-9) ticks.push(t);
    }
  return ticks;
}

export function svgPlot(series: readonly PlotSeries[], o: PlotOptions): string {
  const width = o.width ?? 640;
  // Two legend entries per row (one when a label would run into its neighbour); rows beyond two
  // make the figure taller, not the plot smaller.
  const perRow = series.some((s) => s.label.length > 44) ? 1 : 2;
  const extra = Math.max(0, Math.ceil(series.length / perRow) - 2) * 18;
  const height = (o.height ?? 400) + extra;
  const m = { left: 70, right: 20, top: 40, bottom: 80 + extra };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const lows = all.map((p) => p.y - (p.err ?? 0));
  const highs = all.map((p) => p.y + (p.err ?? 0));
  const tx = (v: number) => (o.logX ? Math.log10(Math.max(v, 1e-6)) : v);
  const xMin = tx(Math.min(...xs));
  const xMax = tx(Math.max(...xs));
  const tf = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-6)) : v);
  let yMin = tf(Math.min(...lows.filter((v) => !o.logY || v > 0)));
  let yMax = tf(Math.max(...highs));
  if (o.logY) {
    yMin = Math.floor(yMin);
    yMax = Math.max(Math.ceil(yMax), yMin + 1);
  } else {
    const pad = (yMax - yMin) * 0.05 || 0.01;
    yMin -= pad;
    yMax += pad;
  }
  const px = (x: number) => m.left + ((tx(x) - xMin) / (xMax - xMin || 1)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((tf(y) - yMin) / (yMax - yMin || 1)) * (height - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(o.title)}</text>`,
  );
  const yTicks = o.logY
    ? Array.from({ length: yMax - yMin + 1 }, (_, i) => 10 ** (yMin + i))
    : niceTicks(yMin, yMax, 6);
  for (const t of yTicks) {
    const y = py(t);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${o.logY ? `${t}×` : Number(t.toPrecision(4))}</text>`,
    );
  }
  const xTicks = o.logX
    ? logTicks(xMin, xMax)
    : niceTicks(xMin, xMax, Math.min(12, xMax - xMin || 1)).filter(Number.isInteger);
  for (const t of xTicks) {
    if (o.logX) parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${m.top}" y2="${height - m.bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t)}" y="${height - m.bottom + 18}" text-anchor="middle">${o.logX ? `${t}×` : t}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`);
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${(m.left + width - m.right) / 2}" y="${height - m.bottom + 38}" text-anchor="middle">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  for (const s of series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (s.markersOnly) {
      for (const p of pts)
        parts.push(`<path d="M${px(p.x)} ${py(p.y) - 7} l7 7 l-7 7 l-7 -7 z" fill="${s.color}" stroke="black"/>`);
      continue;
    }
    if (pts.some((p) => p.err)) {
      const upper = pts.map((p) => `${px(p.x)},${py(p.y + (p.err ?? 0))}`);
      const lower = pts
        .map((p) => `${px(p.x)},${py(Math.max(p.y - (p.err ?? 0), o.logY ? 1e-6 : -Infinity))}`)
        .reverse();
      parts.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`,
      );
    }
    parts.push(
      `<polyline points="${pts.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`,
    );
    for (const p of pts) parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3.5" fill="${s.color}"/>`);
  }
  series.forEach((s, i) => {
    const x = m.left + (i % perRow) * ((width - m.left - m.right) / 2);
    const y = height - 30 - extra + Math.floor(i / perRow) * 18;
    parts.push(
      s.markersOnly
        ? `<path d="M${x + 10} ${y - 6} l6 6 l-6 6 l-6 -6 z" fill="${s.color}" stroke="black"/>`
        : `<line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`,
    );
    parts.push(`<text x="${x + 26}" y="${y + 4}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
