// How long a draft is kept: a preview nobody issued is dropped by the service a week after it was drafted.

export const DRAFT_KEPT_DAYS = 7;
export const DRAFT_KEPT_MS = DRAFT_KEPT_DAYS * 24 * 3600_000;
