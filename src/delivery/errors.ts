// How an adapter tells the delivery worker what went wrong: slow down, try again later, give up, or (a file the
// platform cannot take) say so instead.

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

/**
 * The platform cannot take this file (too large, or too small): said to the person in place of the file, never sent
 * broken. The message is for them, in Chinese.
 */
export class FileTooLarge extends PermanentFailure {
  override name = 'FileTooLarge';
}
