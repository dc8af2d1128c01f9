// Waiting in tests for a condition, with a bound: poll what is awaited instead of sleeping a fixed time and hoping.

/**
 * Polls `cond` every `everyMs` until it returns something truthy, which is returned; throws after `timeoutMs`, naming
 * what was awaited. An error thrown by `cond` ends the wait with that error.
 */
export async function until<T>(what: string, cond: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
