/**
 * Lays predictions on a run's grid. A prediction stamped s was made with data known at s, so it can only
 * act on a bar that opens at or after s: it applies to the first bar opening at or after its timestamp
 * (s on a bar open → that bar; 00:02 on a 5-minute grid → the 00:05 bar). When several land on the same
 * bar, the latest one wins (it knew the most). Bars without a prediction carry no signal (NaN confidence).
 */
import type { GridSignals, PredictionSet } from './types.js';

export function alignPredictions(
  p: PredictionSet,
  grid: { startMs: number; stepMs: number; length: number },
): GridSignals {
  const { startMs, stepMs, length } = grid;
  const direction = new Int8Array(length);
  const confidence = new Float64Array(length).fill(NaN);
  const sd = new Float64Array(length).fill(NaN);
  let covered = 0;
  let superseded = 0;
  let outside = 0;
  for (let j = 0; j < p.timestampsMs.length; j++) {
    const i = Math.ceil((p.timestampsMs[j] - startMs) / stepMs);
    if (i < 0 || i >= length) {
      outside++;
      continue;
    }
    if (confidence[i] === confidence[i]) superseded++;
    else covered++;
    direction[i] = p.direction[j];
    confidence[i] = p.confidence[j];
    sd[i] = p.sd[j];
  }
  return { direction, confidence, sd, covered, superseded, outside };
}
