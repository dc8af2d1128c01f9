// How an adapter tells the delivery worker what went wrong: slow down, try again later, or give up.

/** The platform asked us to slow down: the queue pauses, and the attempt is not counted. */
export class RateLimited extends Error {
  override name = 'RateLimited';
  constructor(
    readonly retryAfterMs: number,
    message = 'rate limited',
  ) {
    super(message);
  }
}

/** Cannot succeed by retrying (bad recipient, no permission): fail now and tell the office. */
export class PermanentFailure extends Error {
  override name = 'PermanentFailure';
}
