// Feishu's file rules, from its API reference: what an image message and a file message can carry, which
// `file_type` an upload declares, and how long an uploaded key is reused here.
import { FileTooLarge } from '../../delivery/errors.ts';
import type { OutgoingFile } from '../../delivery/adapter.ts';
import { isPicture } from '../../files/file-type.ts';
import { formatSize } from '../../files/limits.ts';

/** POST /open-apis/im/v1/images: at most 10 MB, never empty. */
export const FEISHU_IMAGE_MAX = 10 * 1024 * 1024;
/** POST /open-apis/im/v1/files: at most 30 MB, never empty. */
export const FEISHU_FILE_MAX = 30 * 1024 * 1024;
/**
 * An uploaded image_key or file_key is kept this long per file (by its sha256 and name) and sent again instead of
 * uploading again: a retried delivery, or the same attachment asked for twice. Feishu documents no expiry for them;
 * a day is well within what it keeps.
 */
export const UPLOAD_REUSE_SECONDS = 24 * 3600;

/** How a stored file goes to Feishu: as an image message (a png or jpeg within the image limit) or a file message. */
export function feishuSendAs(file: Pick<OutgoingFile, 'name' | 'mime' | 'size'>): 'image' | 'file' {
  if (file.size === 0) throw new FileTooLarge(`文件「${file.name}」是空文件，飞书不能发送空文件。`);
  if (isPicture(file.mime) && file.size <= FEISHU_IMAGE_MAX) return 'image';
  if (file.size > FEISHU_FILE_MAX) {
    throw new FileTooLarge(`文件「${file.name}」有 ${formatSize(file.size)}，超过飞书单个文件 ${formatSize(FEISHU_FILE_MAX)} 的上限，无法在飞书中发送。请到督查室另行取用。`);
  }
  return 'file';
}

/** The `file_type` of an upload: pdf, doc, xls, ppt, or stream for anything else. */
export function feishuFileType(name: string): 'pdf' | 'doc' | 'xls' | 'ppt' | 'stream' {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase() ?? '';
  if (ext === 'pdf') return 'pdf';
  if (ext === 'doc' || ext === 'docx') return 'doc';
  if (ext === 'xls' || ext === 'xlsx' || ext === 'csv') return 'xls';
  if (ext === 'ppt' || ext === 'pptx') return 'ppt';
  return 'stream';
}
