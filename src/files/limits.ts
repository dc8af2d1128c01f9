// How much a report may carry: limits on what ducha keeps, checked as files arrive (documented in docs/operations.md).
// The platforms' own limits on what can be sent back are their adapters' (src/platforms/*/files.ts).

/** One attachment: a photo or a scanned plan fits many times over; a video does not belong in a report. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** All the attachments of one report together. */
export const MAX_REPORT_BYTES = 50 * 1024 * 1024;
/** Attachments of one report: the sign card lists each. */
export const MAX_REPORT_FILES = 20;

/** A size as people read it: 834 B, 12 KB, 1.2 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
