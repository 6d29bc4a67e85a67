/** Small helpers shared by the command files. */
export const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}
