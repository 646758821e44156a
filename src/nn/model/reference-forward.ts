/**
 * A plain-JS forward pass of the paper's network, read straight from the genome's own layout
 * (ALGORITHM.md §3). Slow and simple: tests compare the tfjs network against it, which checks
 * every layout conversion, the pooling semantics and the fc1 mapping at once.
 */
import type { Genome, LayerGenes } from '../../evolution/genome';

interface Map3 {
  h: number;
  w: number;
  c: number;
  /** [y][x][c] */
  v: Float64Array;
}

/** 'same' convolution, stride 1, weights in genome layout [f][c][ky][kx]. */
function conv(m: Map3, l: LayerGenes): Map3 {
  const { filters: F, inChannels: C, kernelH: kh, kernelW: kw } = l.spec;
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const out = new Float64Array(m.h * m.w * F);
  for (let y = 0; y < m.h; y++) {
    for (let x = 0; x < m.w; x++) {
      for (let f = 0; f < F; f++) {
        let s = l.bias[f];
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y + ky - top;
            if (iy < 0 || iy >= m.h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = x + kx - left;
              if (ix < 0 || ix >= m.w) continue;
              s += m.v[(iy * m.w + ix) * C + c] * l.weights[((f * C + c) * kh + ky) * kw + kx];
            }
          }
        }
        out[(y * m.w + x) * F + f] = s;
      }
    }
  }
  return { h: m.h, w: m.w, c: F, v: out };
}

/** Stride 2, TensorFlow 'same' padding; the average counts only real pixels. */
function pool(m: Map3, size: number, kind: 'max' | 'avg'): Map3 {
  const oh = Math.ceil(m.h / 2);
  const ow = Math.ceil(m.w / 2);
  const top = Math.floor(Math.max((oh - 1) * 2 + size - m.h, 0) / 2);
  const left = Math.floor(Math.max((ow - 1) * 2 + size - m.w, 0) / 2);
  const out = new Float64Array(oh * ow * m.c);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let c = 0; c < m.c; c++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let n = 0;
        for (let ky = 0; ky < size; ky++) {
          const iy = y * 2 - top + ky;
          if (iy < 0 || iy >= m.h) continue;
          for (let kx = 0; kx < size; kx++) {
            const ix = x * 2 - left + kx;
            if (ix < 0 || ix >= m.w) continue;
            const v = m.v[(iy * m.w + ix) * m.c + c];
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        out[(y * ow + x) * m.c + c] = kind === 'max' ? acc : acc / n;
      }
    }
  }
  return { h: oh, w: ow, c: m.c, v: out };
}

const relu = (m: Map3): Map3 => ({ ...m, v: m.v.map((x) => Math.max(0, x)) });

/** Logits of one NHWC image (values as fed to the network, i.e. in [0, 1]). */
export function referenceLogits(
  g: Genome,
  image: Float32Array,
  h: number,
  w: number,
  c: number,
  poolSize = 3,
): Float64Array {
  let m: Map3 = { h, w, c, v: Float64Array.from(image) };
  m = relu(pool(conv(m, g.layers[0]), poolSize, 'max'));
  m = pool(relu(conv(m, g.layers[1])), poolSize, 'avg');
  m = pool(relu(conv(m, g.layers[2])), poolSize, 'avg');
  // fc1 as the genome sees it: unit f, channel c, position (ky, kx) of the 4×4 map.
  const fc1 = g.layers[3];
  const { filters: F, inChannels: C, kernelH: kh, kernelW: kw } = fc1.spec;
  const hidden = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    let s = fc1.bias[f];
    for (let ch = 0; ch < C; ch++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++)
          s += m.v[(ky * m.w + kx) * C + ch] * fc1.weights[((f * C + ch) * kh + ky) * kw + kx];
      }
    }
    hidden[f] = Math.max(0, s);
  }
  const o = g.output;
  const logits = new Float64Array(o.outUnits);
  for (let k = 0; k < o.outUnits; k++) {
    let s = o.bias[k];
    for (let i = 0; i < o.inUnits; i++) s += hidden[i] * o.weights[i * o.outUnits + k];
    logits[k] = s;
  }
  return logits;
}
