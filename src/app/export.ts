/**
 * Exports: a run's report as JSON (the headless runner's run.json, plus the configuration it
 * started with) and CSV (with the live settings of each row's generation), charts as PNG.
 */
import { serialiseComparison, serialiseRunReport } from '../experiment/artefacts';
import { reportToCsv, startingConfig } from '../experiment/config-history';
import type { RunReport } from '../experiment/records';
import type { RunState } from './state';

/**
 * The document the CLI writes as run.json; `config` is the final configuration, and when the
 * settings changed mid-run `startingConfig` is the one generation 1 had (configChanges say what
 * changed from which generation, with the values before and after).
 */
export function reportOf(
  run: Pick<RunState, 'config' | 'environment' | 'ancestor' | 'records' | 'configChanges' | 'status'> &
    Partial<Pick<RunState, 'data'>>,
): RunReport & { startingConfigUnknown?: string[] } {
  const first = run.records.find((r) => r.generation === 1);
  const start = startingConfig(run.config, run.configChanges);
  return {
    config: run.config,
    ...(run.configChanges.length ? { startingConfig: start.config } : {}),
    ...(start.unknown.length ? { startingConfigUnknown: start.unknown } : {}),
    environment: run.environment ?? {
      backend: 'not started',
      backendReason: '',
      runtime: navigatorInfo(),
      tfjsVersion: '',
      startedAt: '',
    },
    ...(run.data ? { data: run.data } : {}),
    ancestor:
      run.ancestor ?? (first ? { synapses: first.synapses, kernels: first.kernels } : { synapses: 0, kernels: 0 }),
    records: run.records,
    configChanges: run.configChanges,
    finished: run.status === 'completed',
  };
}

const navigatorInfo = () => (typeof navigator !== 'undefined' ? navigator.userAgent : 'unknown');

export function fileStem(run: Pick<RunState, 'label' | 'config'>): string {
  return `evolab-${run.config.dataset}-${run.label.replace(/[^\w.]+/g, '-').replace(/-+$/, '')}-seed${run.config.seed}`;
}

export function download(filename: string, data: Blob) {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadJson(run: RunState) {
  const json = JSON.stringify(serialiseRunReport(reportOf(run)), null, 1);
  download(`${fileStem(run)}.json`, new Blob([json], { type: 'application/json' }));
}

/** One row per network per generation, with the α, β, ρ… it was synthesised and trained with. */
export const csvOf = (run: Pick<RunState, 'config' | 'records' | 'configChanges'>) => reportToCsv(run);

export function downloadCsv(run: RunState) {
  download(`${fileStem(run)}.csv`, new Blob([csvOf(run)], { type: 'text/csv' }));
}

/** Every run of the comparison in one JSON file: a list of run.json documents with their labels. */
export function downloadAllJson(runs: RunState[]) {
  const doc = serialiseComparison(runs.map((r) => ({ label: r.label, colour: r.colour, report: reportOf(r) })));
  download(`evolab-comparison.json`, new Blob([JSON.stringify(doc, null, 1)], { type: 'application/json' }));
}

/**
 * A chart's SVG drawn onto a canvas with a white background, its title and a legend (recharts
 * draws its legend in HTML, outside the SVG), then saved as PNG.
 */
export async function downloadChartPng(
  container: HTMLElement,
  title: string,
  legend: { label: string; colour: string; dashed?: boolean }[],
  filename: string,
) {
  const svg = container.querySelector('svg.recharts-surface') as SVGSVGElement | null;
  if (!svg) throw new Error('the chart has not been drawn yet');
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = 'text { font-family: system-ui, sans-serif; font-size: 14px; fill: #111; }';
  clone.prepend(style);
  const image = new Image();
  const source = URL.createObjectURL(
    new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the chart could not be rendered to an image'));
      image.src = source;
    });
  } finally {
    URL.revokeObjectURL(source);
  }
  const scale = 2;
  const top = 44;
  const bottom = 16 + 28 * Math.ceil(legend.length / 3);
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil((height + top + bottom) * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height + top + bottom);
  ctx.fillStyle = '#111';
  ctx.font = 'bold 20px system-ui, sans-serif';
  ctx.fillText(title, 12, 28);
  ctx.drawImage(image, 0, top, width, height);
  ctx.font = '16px system-ui, sans-serif';
  legend.forEach((l, i) => {
    const x = 12 + (i % 3) * (width / 3);
    const y = top + height + 22 + 28 * Math.floor(i / 3);
    if (l.dashed) {
      ctx.strokeStyle = l.colour;
      ctx.lineWidth = 3;
      ctx.setLineDash([5, 3]);
      ctx.beginPath();
      ctx.moveTo(x, y - 5);
      ctx.lineTo(x + 18, y - 5);
      ctx.stroke();
      ctx.setLineDash([]);
    } else {
      ctx.fillStyle = l.colour;
      ctx.fillRect(x, y - 12, 18, 14);
    }
    ctx.fillStyle = '#111';
    ctx.fillText(l.label, x + 26, y);
  });
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
  );
  download(filename, blob);
}
