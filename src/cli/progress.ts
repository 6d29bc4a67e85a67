/** A progress bar on stderr, drawn only on a terminal and only for runs long enough to need one. */
export class ProgressBar {
  private readonly start = Date.now();
  private drawn = false;
  constructor(private readonly enabled: boolean) {}

  update(done: number, total: number): void {
    if (!this.enabled || !process.stderr.isTTY || Date.now() - this.start < 300) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / total) * 100).toFixed(0).padStart(3)} % ${done}/${total} steps\x1b[K`,
    );
    this.drawn = true;
  }

  /** Long first-time work before the run (sample data, model training): its name and share done. */
  phase(label: string, done: number, total: number): void {
    if (!this.enabled || !process.stderr.isTTY) return;
    const pct = total > 0 ? ` ${((done / total) * 100).toFixed(0).padStart(3)} %` : '';
    process.stderr.write(`\r${label}…${done > 0 ? pct : ''}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) process.stderr.write('\n');
  }
}
