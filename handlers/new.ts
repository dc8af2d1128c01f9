// /新建: the office drafts an item; the reply is a preview card (草稿N, units, who receives, deadline) with 发出 / 取消.
import { cardKey } from '../src/chat/card-key.ts';
import { requireAccess } from '../src/domain/access.ts';
import { CATEGORY_CHOICES, parseCategory } from '../src/domain/categories.ts';
import { DRAFT_KEPT_MS } from '../src/domain/drafts.ts';
import { parseDue } from '../src/domain/deadline.ts';
import { checkProgressEvery } from '../src/domain/progress.ts';
import { responsibleLeader } from '../src/domain/responsible-leader.ts';
import { draftItemId, newAssignment, type Assignment, type ItemHeader } from '../src/domain/types.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import { personFrom, unitIdFrom } from '../src/dispatch/handler-kit.ts';
import { ownerFrom } from '../src/dispatch/owner-arg.ts';
import { createItem } from '../src/store/apply-op.ts';
import { sourceOf } from '../src/dispatch/item-source.ts';

export const newItem: CommandHandler = {
  command: 'new',
  async run(ctx) {
    const { dir, cmd, rt } = ctx;
    requireAccess('new', ctx.person.id, dir, '新建督查事项');
    const title = cmd.positional.join(' ').trim();
    if (!title) throw new Refusal('bad_syntax', '缺少事项标题');
    const units = [...new Set((cmd.lists.unit ?? []).map((u) => unitIdFrom(dir, u)))];
    if (units.length === 0) throw new Refusal('bad_syntax', '缺少承办单位（单位=）');
    const category = cmd.options.key ? parseCategory(cmd.options.key) : undefined;
    if (cmd.options.key && !category) throw new Refusal('bad_syntax', `类别「${cmd.options.key}」不对，可选：${CATEGORY_CHOICES}`);
    const now = rt.clock.now();
    const due = parseDue(cmd.options.due ?? '', now, rt.config.tz, rt.calendar);
    if (!due.ok) throw new Refusal('bad_syntax', due.error);
    const progress = checkProgressEvery(cmd.options.every, now, due.date, { tz: rt.config.tz, remindAt: rt.config.remindAt, calendar: rt.calendar });
    let lead = units[0]!;
    if (cmd.options.lead) {
      lead = unitIdFrom(dir, cmd.options.lead);
      if (!units.includes(lead)) throw new Refusal('bad_syntax', `牵头单位「${cmd.options.lead}」须是承办单位之一`);
    }
    // Where the task came from, who instructed it (批办领导, who reviews the result before 办结), its document number.
    const origin = sourceOf(dir, cmd.options);
    const leadRule = cmd.options.lead !== undefined && units.length > 1;
    // Key items go to the head only (要有重点); ordinary ones to a deputy, the first unless one is named.
    let named: { unit: string; person: string } | undefined;
    if (cmd.options.to) {
      if (category) throw new Refusal('bad_syntax', '重点事项一律直送一把手，不能用 负责人= 指定他人；一般事项才可指定班子成员');
      // Suggested from those it could name: the deputies of the units listed.
      const deputies = units.flatMap((u) => dir.unit(u)?.deputies ?? []).flatMap((id) => dir.person(id) ?? []);
      const p = personFrom(dir, cmd.options.to, '负责人', deputies);
      const unit = units.find((u) => dir.unit(u)?.deputies.includes(p.id));
      if (!unit) throw new Refusal('bad_syntax', `负责人「${cmd.options.to}」不是所列承办单位的班子成员`);
      named = { unit, person: p.id };
    }
    // The owner (督查员) gets the item's office-side cards: the one named, else whoever drafts it (the trail records
    // an owner only when one was named: its create entry's actor is the owner otherwise).
    const owner = cmd.options.owner === undefined ? ctx.person.id : ownerFrom(dir, cmd.options.owner).id;
    const assignments: Assignment[] = units.map((u) => {
      const responsible = responsibleLeader(category, u, named?.unit === u ? named.person : undefined, dir);
      if (!responsible) throw new Refusal('bad_syntax', `${dir.unitName(u)}在通讯录中没有班子成员，一般事项无人可送；请联系管理员补充，或改为重点事项`);
      return newAssignment(u, u === lead, responsible, dir.personName(responsible), due);
    });
    // A draft takes no 督字 number: that is given at 发出, so a draft dropped leaves no gap in the year's numbers.
    await createItem(rt, ctx.op, (draft, at) => {
      const item: ItemHeader = {
        id: draftItemId(draft),
        draft,
        title,
        req: cmd.options.req,
        category,
        status: 'draft',
        createdBy: ctx.person.id,
        createdAt: at,
        expiresAt: at + DRAFT_KEPT_MS,
        due: due.date,
        dueAt: due.dueAt,
        dueNote: due.note,
        units,
        lead,
        owner,
        ...(progress ? { progress } : {}),
        ...origin,
        // 牵头= given on several units: the 配合 units report to the lead unit (src/domain/joint.ts).
        ...(leadRule ? { leadRule } : {}),
      };
      return {
        item,
        assignments,
        audits: [{ action: 'create', to: 'draft', detail: { title, units, category: category ?? null, due: due.date, draft, ...(owner !== ctx.person.id ? { owner } : {}), ...(progress ? { progress } : {}), ...origin, ...(leadRule ? { lead, leadRule } : {}) } }],
        deliveries: [
          { kind: 'reply', to: ctx.event.replyTo, cardKey: cardKey({ kind: 'preview', item: item.id }), viewer: ctx.person.id },
        ],
      };
    });
    return [];
  },
};
