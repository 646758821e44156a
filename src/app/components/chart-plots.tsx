/**
 * The charts' drawings (recharts), loaded after the page's first paint: the page shows its cards,
 * legends and tables at once, and the charts' boxes keep their size while this arrives.
 */
import {
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ConfigChange } from '../../experiment/records';
import type { LossPoint } from '../../worker/protocol';
import { formatCompute, type XAxisKind } from '../compute-axis';
import { formatMetric, type Metric } from '../series';

/** Axis type and margins (charts.tsx chooses them for the screen or presenter mode). */
export interface PlotType {
  size: number;
  yAxisWidth: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** A point at its generation and at its place on the x-axis (the generation, or the work done by then). */
interface PlotPoint {
  generation: number;
  x: number;
  value: number;
}

export interface PlotLine {
  label: string;
  colour: string;
  changes: ConfigChange[];
  /** Where a generation sits on the x-axis. */
  x: (generation: number) => number;
  points: PlotPoint[];
}

export interface OverlayLine {
  mode: string;
  label: string;
  colour: string;
  points: PlotPoint[];
}

export interface PaperPoints {
  mode: string;
  colour: string;
  points: PlotPoint[];
}

export function MetricPlot({
  metric,
  log,
  type,
  xMax,
  xTicks,
  domain,
  yTicks,
  data,
  ours,
  paperByMode,
  xAxis,
  xTitle,
}: {
  metric: Metric;
  log: boolean;
  type: PlotType;
  /** Generations, or the training work done (images or seconds): a fair comparison of runs. */
  xAxis: XAxisKind;
  xTitle: string;
  xMax: number;
  xTicks: number[];
  domain: [number, number];
  yTicks: number[];
  data: PlotLine[];
  ours: OverlayLine[];
  paperByMode: PaperPoints[];
}) {
  const byGeneration = xAxis === 'generation';
  const format = (v: number) => (log ? `${Number(v.toPrecision(3))}×` : `${Math.round(v * 100)}%`);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart accessibilityLayer={false} margin={type.margin}>
        <CartesianGrid stroke="#d0d0d0" strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey="x"
          domain={[byGeneration ? 1 : 0, xMax]}
          ticks={xTicks}
          interval={0}
          allowDecimals={!byGeneration}
          tick={plainTick('middle', type.size, (v) => formatCompute(xAxis, v))}
          label={axisTitle(xTitle, type.size)}
        />
        <YAxis
          type="number"
          dataKey="value"
          scale={log ? 'log' : 'linear'}
          domain={domain}
          ticks={yTicks}
          allowDataOverflow
          interval={0}
          tick={plainTick('end', type.size, format)}
          width={type.yAxisWidth}
        />
        <Tooltip
          formatter={(v) => formatMetric(metric, Number(v))}
          labelFormatter={(x) => (byGeneration ? `generation ${x}` : formatCompute(xAxis, Number(x)))}
          isAnimationActive={false}
        />
        {ours.map((o) => (
          <Line
            key={`ours-${o.mode}`}
            className="reproduced-line"
            data={o.points}
            dataKey="value"
            name={o.label}
            stroke={o.colour}
            strokeOpacity={0.6}
            strokeWidth={2.5}
            strokeDasharray="8 5"
            dot={false}
            activeDot={false}
            isAnimationActive={false}
            type="linear"
          />
        ))}
        {data.map((d) => (
          <Line
            key={d.label}
            data={d.points}
            dataKey="value"
            name={d.label}
            stroke={d.colour}
            strokeWidth={3}
            dot={{ r: 5, fill: d.colour }}
            isAnimationActive={false}
            type="linear"
          />
        ))}
        {paperByMode.map((p) => (
          <Scatter
            key={p.mode}
            data={p.points}
            dataKey="value"
            name={`paper, ${p.mode}`}
            fill={p.colour}
            shape="star"
            isAnimationActive={false}
            legendType="star"
          />
        ))}
        {data.flatMap((d) =>
          d.changes.map((c) => (
            <ReferenceLine
              key={`${d.label}-${c.generation}`}
              x={d.x(c.generation)}
              stroke={d.colour}
              strokeDasharray="6 4"
              strokeWidth={2}
              label={{ value: 'Δ', position: 'top', fill: d.colour, fontSize: type.size + 1 }}
            />
          )),
        )}
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function LossPlot({
  type,
  xMax,
  lossMax,
  lossTicks,
  lines,
}: {
  type: PlotType;
  xMax: number;
  lossMax: number;
  lossTicks: number[];
  lines: { label: string; name: string; colour: string; points: LossPoint[] }[];
}) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart accessibilityLayer={false} margin={type.margin}>
        <CartesianGrid stroke="#d0d0d0" strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey="x"
          domain={[0, xMax]}
          ticks={Array.from({ length: 2 * xMax + 1 }, (_, i) => i / 2)}
          interval={0}
          tick={plainTick('middle', type.size)}
          label={axisTitle('epoch', type.size)}
        />
        <YAxis
          type="number"
          dataKey="loss"
          domain={[0, lossMax]}
          ticks={lossTicks}
          interval={0}
          tick={plainTick('end', type.size, (v) => v.toFixed(2))}
          width={type.yAxisWidth}
        />
        {lines.map((l) => (
          <Line
            key={l.label}
            data={l.points}
            dataKey="loss"
            name={l.name}
            stroke={l.colour}
            strokeWidth={2.5}
            dot={false}
            isAnimationActive={false}
            type="linear"
          />
        ))}
      </ComposedChart>
    </ResponsiveContainer>
  );
}

/**
 * Axis ticks as plain SVG text: recharts' own tick labels measure every string in the DOM
 * (forced layouts), which costs tens of milliseconds per chart on a busy 2-core machine.
 */
function plainTick(anchor: 'middle' | 'end', size: number, format: (v: number) => string = String) {
  return function PlainTick(props: { x?: number | string; y?: number | string; payload?: { value: number } }) {
    return (
      <text
        x={Number(props.x)}
        y={Number(props.y)}
        dy={anchor === 'middle' ? size - 1 : size / 3}
        dx={anchor === 'end' ? -3 : 0}
        textAnchor={anchor}
        fontSize={size}
        fill="#111"
      >
        {format(props.payload?.value ?? 0)}
      </text>
    );
  };
}

/** An axis title as plain SVG text, placed from the axis' view box. */
function axisTitle(text: string, size: number) {
  return function AxisTitle(props: { viewBox?: { x?: number; y?: number; width?: number; height?: number } }) {
    const v = props.viewBox ?? {};
    return (
      <text
        x={(v.x ?? 0) + (v.width ?? 0) / 2}
        y={(v.y ?? 0) + (v.height ?? 0) + size - 1}
        textAnchor="middle"
        fontSize={size}
        fill="#111"
      >
        {text}
      </text>
    );
  };
}
