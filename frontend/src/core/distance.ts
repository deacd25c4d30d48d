// Exact Euclidean distance transforms of binary masks (the separable lower-envelope method of Felzenszwalb & Huttenlocher).
const INF = 1e20;

/** 1-D squared distance transform of f (0 at sites, INF elsewhere) of length n, written into d. */
function transform1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const dq = q - v[k]!;
    d[q] = dq * dq + f[v[k]!]!;
  }
}

/** Squared distance of every pixel of a row-major w × h grid to the nearest pixel where `site` is true. */
export function squaredDistance(w: number, h: number, site: (i: number) => boolean): Float64Array {
  const out = new Float64Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = site(i) ? 0 : INF;
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[y * w + x]!;
    transform1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y]!;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = out[y * w + x]!;
    transform1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[y * w + x] = d[x]!;
  }
  return out;
}

/** Signed distance: negative inside the set pixels, positive outside, about ±0.5 at the boundary. */
export function signedDistance(bits: Uint8Array, w: number, h: number): Float32Array {
  const toInside = squaredDistance(w, h, (i) => bits[i] === 1);
  const toOutside = squaredDistance(w, h, (i) => bits[i] !== 1);
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) {
    out[i] = bits[i] ? 0.5 - Math.sqrt(toOutside[i]!) : Math.sqrt(toInside[i]!) - 0.5;
  }
  return out;
}
