// Crash points for the crash tests: with DUCHA_FAULT=<point> the process kills itself (SIGKILL, as a power cut
// would) when it reaches that point, so a test can stop it between two steps. Refused when NODE_ENV=production.
/**
 * before-commit: an operation is decided (发出: the item is to be issued), its commit step (which gives the 督字
 * number) not run; after-commit: an operation is committed, its deliveries not queued; after-enqueue: queued, the
 * outbox not cleared; mid-slot: a reminder slot has queued its reminders, not yet its escalations and digest.
 */
export type FaultPoint = 'before-commit' | 'after-commit' | 'after-enqueue' | 'mid-slot';

export const FAULT_POINTS: readonly FaultPoint[] = ['before-commit', 'after-commit', 'after-enqueue', 'mid-slot'];

/** Takes anything with the config (the runtime): this file stays below config.ts, which reads the point's name. */
export function faultPoint(rt: { config: { fault?: FaultPoint } }, point: FaultPoint): void {
  if (rt.config.fault === point) process.kill(process.pid, 'SIGKILL');
}
