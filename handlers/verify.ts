// /核验: the office checks that nothing of an item (its records, audit chain, reports, signatures) was changed outside ducha.
import { requireAccess } from '../src/domain/access.ts';
import { noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { itemIdFrom } from '../src/dispatch/handler-kit.ts';
import { verifyItem } from '../src/store/verify-item.ts';

/** At most this many problems are listed; the count says how many there are. */
const LISTED = 20;

export const verify: CommandHandler = {
  command: 'verify',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireAccess('verify', ctx.person.id, dir, '核验记录');
    const id = await itemIdFrom(rt, cmd.positional[0]);
    const v = await verifyItem(rt.store, id, dir, rt.config.tz, rt.files);
    if (!v) throw new Refusal('not_found', '没有这个督查事项');
    const lines = [v.header ? `核验 ${noticeNumber(v.header)}「${v.header.title}」` : `核验「${cmd.positional[0] ?? ''}」所指的督查事项`];
    if (v.problems.length === 0) {
      lines.push(
        '结论：记录完整，未发现事后改动。',
        `· 办理记录 ${v.entries} 条：逐条链接一致，与总审计日志逐条一致，末尾无缺失。`,
        `· 记录 ${v.records} 份（事项本身、${v.records - 1} 个单位的交办记录）：每一份都与本系统最后一次写入时记下的校验值一致；状态、时限、负责领导与办理记录相符。`,
        `· 报告 ${v.reports} 稿、签署 ${v.signatures} 次：正文与哈希一致，签署的文本就是所签的那一稿，均有对应记录。`,
        ...(v.attachments
          ? [`· 附件 ${v.attachments} 个：文件库中的文件与其哈希一致，与报送、补充和签署时的记录一致。`]
          : []),
      );
    } else {
      lines.push(`结论：发现 ${v.problems.length} 处问题，记录在写入后被改动过，请勿以现有记录为准，并报告系统管理员。`);
      lines.push(...v.problems.slice(0, LISTED).map((p) => `· ${p}`));
      if (v.problems.length > LISTED) lines.push(`· ……另有 ${v.problems.length - LISTED} 处`);
    }
    if (v.head) lines.push(`链尾校验码：${v.head.slice(0, 16)}（可记入纸质台账；日后核验时若不同，说明其间有新记录或记录被整体重写）`);
    lines.push(
      '说明：核验能发现不经本系统对本事项任何一份记录（事项本身、各单位的交办记录及其中的报告、附件和签署）、附件文件或办理记录的改动、删除、插入和调换，' +
        '指出是哪一份记录，能指出的还指出哪一项；但掌握数据库全部写权限的人若把办理记录、链尾、总审计日志和记录的校验值一并重算，核验发现不了，' +
        '须对照事先记下的链尾校验码。核验只证明记录写入后未被改动，不证明所写内容属实。',
    );
    return [ctx.reply(lines.join('\n'))];
  },
};
