// /核验: the office checks that an item's record (its audit chain, reports and signatures) has not been changed since.
import { noticeNumber } from '../src/domain/types.ts';
import { Refusal } from '../src/errors.ts';
import type { CommandHandler } from '../src/handler.ts';
import { itemIdFrom, requireOffice } from '../src/handler-kit.ts';
import { verifyItem } from '../src/store/verify-item.ts';

/** At most this many problems are listed; the count says how many there are. */
const LISTED = 20;

export const verify: CommandHandler = {
  command: 'verify',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    requireOffice(dir, ctx.person.id, '核验记录');
    const id = itemIdFrom(cmd.positional[0], rt.clock.now(), rt.config.tz);
    const found = await rt.store.getItem(id);
    if (!found) throw new Refusal('not_found', `没有编号为 ${id} 的督查事项`);
    const item = found.item;
    const v = await verifyItem(rt.store, item, dir, rt.config.tz);
    const lines = [`核验 ${noticeNumber(item)}「${item.title}」`];
    if (v.problems.length === 0) {
      lines.push(
        '结论：记录完整，未发现事后改动。',
        `· 办理记录 ${v.entries} 条：逐条链接一致，与总审计日志逐条一致，末尾无缺失。`,
        `· 报告 ${v.reports} 稿、签署 ${v.signatures} 次：正文与哈希一致，签署的文本就是所签的那一稿，均有对应记录。`,
      );
    } else {
      lines.push(`结论：发现 ${v.problems.length} 处问题，记录在写入后被改动过，请勿以现有记录为准，并报告系统管理员。`);
      lines.push(...v.problems.slice(0, LISTED).map((p) => `· ${p}`));
      if (v.problems.length > LISTED) lines.push(`· ……另有 ${v.problems.length - LISTED} 处`);
    }
    if (v.head) lines.push(`链尾校验码：${v.head.slice(0, 16)}（可记入纸质台账；日后核验时若不同，说明其间有新记录或记录被整体重写）`);
    lines.push(
      '说明：核验能发现对单条记录的改动、删除、插入和调换，以及报告正文、签署文本的改动；不能发现掌握数据库全部权限、并重算了整条链的人所做的改写。',
    );
    return [ctx.reply(lines.join('\n'))];
  },
};
