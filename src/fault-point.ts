// Crash points for the crash tests: with DUCHA_FAULT=<point> the process kills itself (SIGKILL, as a power cut
// would) when it reaches that point, so a test can stop it between two steps. Refused when NODE_ENV=production.
import type { Runtime } from './runtime.ts';

/**
 * after-commit: an operation is committed, its deliveries not queued; after-enqueue: queued, the outbox not cleared;
 * mid-slot: a reminder slot has queued its reminders, not yet its escalations and digest.
 */
export type FaultPoint = 'after-commit' | 'after-enqueue' | 'mid-slot';

export const FAULT_POINTS: readonly FaultPoint[] = ['after-commit', 'after-enqueue', 'mid-slot'];

export function faultPoint(rt: Runtime, point: FaultPoint): void {
  if (rt.config.fault === point) process.kill(process.pid, 'SIGKILL');
}
