import { readFileSync } from 'node:fs';

// Linux reports CPU time in clock ticks; 100 per second on every common
// kernel configuration (getconf CLK_TCK).
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** CPU time a process has used so far, in milliseconds: in itself, and in the kernel for it. */
export function cpuMs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const toMs = (ticks: string) => (Number(ticks) * 1_000) / TICKS_PER_SECOND;
  return { user: toMs(fields[11]), system: toMs(fields[12]) };
}

/** Resident memory of a process, in bytes. */
export function rssBytes(pid: number): number {
  const statm = readFileSync(`/proc/${pid}/statm`, 'utf8');
  return Number(statm.split(' ')[1]) * PAGE_BYTES;
}
