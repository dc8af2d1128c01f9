// WeCom's file rules, from its API reference (上传临时素材): what an image message and a file message can carry, and
// how long an uploaded media id is reused here.
import { FileTooLarge } from '../../delivery/errors.ts';
import type { OutgoingFile } from '../../delivery/adapter.ts';
import { isPicture } from '../../files/file-type.ts';
import { formatSize } from '../../files/limits.ts';

/**
 * Pictures sent as image messages: WeCom's current reference allows 10 MB for an image (JPG, PNG), its earlier one
 * 2 MB, and clients are said to enforce the smaller; a larger picture goes as a file instead, so it is never refused.
 */
export const WECOM_IMAGE_MAX = 2 * 1024 * 1024;
/** A file message: at most 20 MB. */
export const WECOM_FILE_MAX = 20 * 1024 * 1024;
/** WeCom refuses media of 5 bytes or fewer. */
export const WECOM_MIN_BYTES = 6;
/** A media id lives three days after its upload: reused for a little less. */
export const MEDIA_REUSE_SECONDS = 3 * 24 * 3600 - 3600;

/** How a stored file goes to WeCom: an image message (a small png or jpeg) or a file message. */
export function wecomSendAs(file: Pick<OutgoingFile, 'name' | 'mime' | 'size'>): 'image' | 'file' {
  if (file.size < WECOM_MIN_BYTES) throw new FileTooLarge(`文件「${file.name}」只有 ${file.size} 字节，企业微信不能发送这么小的文件。`);
  if (isPicture(file.mime) && file.size <= WECOM_IMAGE_MAX) return 'image';
  if (file.size > WECOM_FILE_MAX) {
    throw new FileTooLarge(`文件「${file.name}」有 ${formatSize(file.size)}，超过企业微信单个文件 ${formatSize(WECOM_FILE_MAX)} 的上限，无法在企业微信中发送。请到督查室另行取用。`);
  }
  return 'file';
}
