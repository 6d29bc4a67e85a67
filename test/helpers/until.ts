/**
 * Bounded polling on a condition: returns as soon as `cond` holds, throws naming `what` after a generous
 * deadline. A deadline, not an expectation of speed (never a sleep standing in for an event).
 */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  deadlineMs = 60_000,
  everyMs = 10,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${deadlineMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
