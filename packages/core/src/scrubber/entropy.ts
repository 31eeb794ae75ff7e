// Shannon entropy in bits per character. A string of n characters has at most log2(n) bits,
// so callers compare against thresholds chosen for the lengths they accept.

const counts = new Uint32Array(128);

export function shannonEntropy(value: string): number {
  const n = value.length;
  if (n === 0) return 0;
  counts.fill(0);
  let other = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) counts[c] = (counts[c] ?? 0) + 1;
    else other++;
  }
  let bits = 0;
  for (let c = 0; c < 128; c++) {
    const k = counts[c] ?? 0;
    if (k > 0) {
      const p = k / n;
      bits -= p * Math.log2(p);
    }
  }
  if (other > 0) {
    // Non-ASCII characters are rare in tokens; treat them as one symbol (a lower bound).
    const p = other / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}
