// A file the service made (a chart, a spreadsheet, a PDF) kept in the file store like any attachment, so that a
// delivery job can send it: content-addressed, so making the same file twice keeps one copy.
import type { FileRef } from '../delivery/delivery.ts';
import type { FileStore } from '../files/file-store.ts';

export const MIME = {
  png: 'image/png',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

export async function storeOutput(files: FileStore, bytes: Uint8Array, name: string, mime: string): Promise<FileRef> {
  const { sha256, size } = await files.putBytes(bytes);
  return { sha256, name, mime, size };
}
