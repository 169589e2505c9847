// TensorBoard's scalar smoothing: an exponential moving average debiased like
// Adam's moments (divide by 1 - w^n), so the first points are not dragged
// toward zero. Non-finite values pass through unsmoothed and do not enter the
// average; a constant series is returned as is (no float drift).

export function debiasedEma(values: ArrayLike<number>, weight: number, out?: Float64Array): Float64Array {
  const n = values.length;
  const res = out && out.length === n ? out : new Float64Array(n);
  let constant = true;
  for (let i = 1; i < n && constant; i++) if (values[i] !== values[0]) constant = false;
  if (weight <= 0 || constant) {
    for (let i = 0; i < n; i++) res[i] = values[i];
    return res;
  }
  let last = 0;
  let power = 1;  // weight ** (finite points so far), kept as a running product: no pow per point
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      res[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    power *= weight;
    const debias = weight === 1 ? 1 : 1 - power;
    res[i] = last / debias;
  }
  return res;
}
