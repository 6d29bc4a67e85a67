/**
 * A seeded uniform generator in [0, 1) for random searches: a Weyl sequence (golden-ratio increment)
 * through the 32-bit murmur3 finaliser. The same seed draws the same parameters on every machine.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}
