// What people read about report attachments: how an attachment is listed on cards and in /查看, and the answers to a
// file sent to the bot.
import type { Attachment } from '../domain/types.ts';
import { formatSize, MAX_FILE_BYTES, MAX_REPORT_BYTES, MAX_REPORT_FILES } from '../files/limits.ts';

/** `附件1 整改照片.jpg（1.2 MB）`: the number /附件 takes, the name, the size. */
export function attachmentLine(a: Pick<Attachment, 'n' | 'name' | 'size'>): string {
  return `附件${a.n} ${a.name}（${formatSize(a.size)}）`;
}

/** The attachments of a report, one line each, and how to get one (`/附件 12 1`); empty without any. */
export function attachmentBlock(list: readonly Attachment[] | undefined, itemNo: string): string[] {
  if (!list?.length) return [];
  return [...list.map(attachmentLine), `发送 /附件 ${itemNo} ${list[0]!.n} 可取回附件（序号见上）。`];
}

/** The file a contact sent, as a /报送 will take it. */
export function fileWaiting(name: string, size: number, windowMinutes: number, files: number, bytes: number, again: boolean): string {
  const head = again ? `文件「${name}」已收到过，仍待附上` : `已收到文件「${name}」（${formatSize(size)}）`;
  const all = files > 1 ? `（现有待附文件 ${files} 个，共 ${formatSize(bytes)}）` : '';
  return `${head}${all}。请在 ${windowMinutes} 分钟内发送 /报送 <事项编号> <报告内容>，文件将作为附件随报告送负责领导签署。`;
}

export function fileTooBig(name: string): string {
  return `文件「${name}」超过 ${formatSize(MAX_FILE_BYTES)}，未能收下。请压缩或拆分后重新发送。`;
}

export function tooManyWaiting(name: string, why: 'bytes' | 'files', files: number, bytes: number): string {
  return why === 'files'
    ? `文件「${name}」未能收下：一份报告最多带 ${MAX_REPORT_FILES} 个附件，您已发送 ${files} 个待附文件。`
    : `文件「${name}」未能收下：一份报告的附件合计不能超过 ${formatSize(MAX_REPORT_BYTES)}，您的待附文件已有 ${formatSize(bytes)}。`;
}

export function reportFull(name: string, version: number, why: 'bytes' | 'files'): string {
  return `文件「${name}」未能附到第 ${version} 稿报告：${why === 'files' ? `一份报告最多带 ${MAX_REPORT_FILES} 个附件` : `一份报告的附件合计不能超过 ${formatSize(MAX_REPORT_BYTES)}`}。`;
}

export const FILE_NOT_FOR_YOU =
  '您好，只有承办单位的联络员发送的文件才会作为报告附件，您发送的文件没有保存。查看某个事项的附件，请发送 /附件 <事项编号> <序号>。';

export function fileNotFetched(name: string | undefined): string {
  return `未能从平台取回您发送的文件${name ? `「${name}」` : ''}，请重新发送。`;
}

export function FILE_MISSING(name: string): string {
  return `附件「${name}」的文件在文件库中找不到，无法发送。请告知督查室和系统管理员（可用 /核验 检查该事项）。`;
}
