// Coded refusals: callers branch on the code; the message is the Chinese text the user reads.

export type RefusalCode =
  | 'not_in_directory'
  | 'not_allowed'
  | 'wrong_unit'
  | 'wrong_state'
  | 'unsigned'
  | 'not_found'
  | 'bad_syntax'
  | 'not_for_you'
  | 'stale'
  | 'bad_payload'
  /** A "no" without the reason it must give (退回修改, 退回, 不同意). */
  | 'needs_reason';

export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export function isRefusal(e: unknown): e is Refusal {
  return e instanceof Refusal;
}
