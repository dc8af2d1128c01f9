// How an adapter tells the delivery worker what went wrong: slow down, try again later, or give up.

/**
 * The platform asked us to slow down, and the attempt is not counted: for the whole app the queue pauses;
 * for one recipient only that message waits.
 */
export class RateLimited extends Error {
  override name = 'RateLimited';
  constructor(
    readonly retryAfterMs: number,
    message = 'rate limited',
    readonly scope: 'app' | 'recipient' = 'app',
  ) {
    super(message);
  }
}

/** Cannot succeed by retrying (bad recipient, no permission): fail now and tell the office. */
export class PermanentFailure extends Error {
  override name = 'PermanentFailure';
}
