// /台账: the ledger, one line per item with each unit's state and deadline, optionally only the items whose title has a
// keyword; heads, deputies and contacts see their own units.
import { formatDate } from '../src/domain/dates.ts';
import { extensionCount, TIMELINESS_LABELS } from '../src/domain/on-time.ts';
import { unitTimeliness } from '../src/chat/deadline-texts.ts';
import { STATE_LABELS } from '../src/domain/rules.ts';
import { assignmentRef, isIssued, isKey, noticeNumber, parseAssignmentRef, type Assignment, type ItemHeader } from '../src/domain/types.ts';
import { excerpt } from '../src/chat/parse-command.ts';
import { itemStatusText, parseStatusFilter, STATUS_CHOICES } from '../src/chat/texts.ts';
import { numberOrder } from '../src/domain/item-number.ts';
import { unitsReached } from '../src/domain/access.ts';
import { Refusal } from '../src/domain/refusal.ts';
import type { CommandHandler } from '../src/dispatch/handler.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { unitIdFrom } from '../src/dispatch/handler-kit.ts';
import { exportLedger } from './list-export.ts';
import { jointState } from '../src/domain/joint.ts';
import { sourceLine } from '../src/domain/sources.ts';

const MAX_LINES = 50;

export const list: CommandHandler = {
  command: 'list',
  async run(ctx) {
    const { rt, dir, cmd } = ctx;
    // 导出: the same filters, every match, as a spreadsheet made on the worker.
    if (cmd.flags.includes('export')) return exportLedger(ctx);
    const { all: office, units: mine } = unitsReached('list', ctx.person.id, dir);
    // A 批办领导 (in no unit) sees the items they instructed, and only those.
    if (!office && mine.length === 0 && dir.isLeader(ctx.person.id)) return [ctx.reply(await leaderLedger(rt, ctx.person.id, cmd.positional[0], (id) => dir.unitName(id), (p) => dir.personName(p)))];
    if (!office && mine.length === 0) throw new Refusal('not_allowed', '您不属于任何承办单位，没有可查看的台账');
    const wantUnits = (cmd.lists.unit ?? []).map((u) => unitIdFrom(dir, u));
    if (!office) {
      const foreign = wantUnits.filter((u) => !mine.includes(u));
      if (foreign.length) throw new Refusal('not_allowed', `您只能查看本单位的台账，不能查看${foreign.map((u) => dir.unitName(u)).join('、')}`);
    }
    const units = wantUnits.length ? wantUnits : office ? [] : mine;
    let status: string | undefined;
    if (cmd.options.status) {
      status = parseStatusFilter(cmd.options.status);
      if (!status) throw new Refusal('bad_syntax', `状态「${cmd.options.status}」不对，可选：${STATUS_CHOICES}`);
    }
    const overdueOnly = cmd.flags.includes('overdue');
    const keyword = cmd.positional[0];
    const matches = keyword ? titleMatcher(keyword) : undefined;
    const now = rt.clock.now();
    const itemStatus = status === 'draft' || status === 'cancelled' || status === 'withdrawn' ? status : undefined;
    const unitStatus = itemStatus ? undefined : status;
    // A unit's ledger lists its withdrawn items too (已撤回); the office's drafts and cancelled drafts are its own.
    if (!office && (itemStatus === 'draft' || itemStatus === 'cancelled')) return [ctx.reply('台账中没有符合条件的督查事项。')];
    // The assignments that can be listed, read from the indexes: in a state, past their deadline, of some units.
    // Undefined: no filter at all (the office's whole ledger, or the items in one status).
    let refs: Set<string> | undefined;
    const narrow = (found: string[]) => {
      const before = refs;
      refs = new Set(before ? found.filter((r) => before.has(r)) : found);
    };
    if (unitStatus) narrow(await rt.store.refsInState(unitStatus));
    if (overdueOnly) narrow(await rt.store.refsDueBy(now - 1));
    if (units.length) {
      const perUnit = await Promise.all(units.map(async (u) => (await rt.store.itemIds(u)).map((id) => assignmentRef(id, u))));
      narrow(perUnit.flat());
    }
    const refsOf = new Map<string, string[]>();
    for (const ref of refs ?? []) {
      const { item } = parseAssignmentRef(ref);
      refsOf.set(item, [...(refsOf.get(item) ?? []), ref]);
    }
    let listed: ItemHeader[];
    let total: number;
    if (refs) {
      listed = (await rt.store.getHeaders([...refsOf.keys()])).filter(
        (item) => isIssued(item) && (!itemStatus || item.status === itemStatus) && (!matches || matches(item)),
      );
      listed.sort(byNumber);
      total = listed.length;
    } else if (itemStatus) {
      // Newest first. Drafts are a week's at most: all read, to order those drafted at the same moment by reference;
      // of the others, only as many as shown.
      const { ids, total: all } = await rt.store.itemIdsInStatus(itemStatus, itemStatus === 'draft' || matches ? undefined : MAX_LINES);
      listed = (await rt.store.getHeaders(ids))
        .filter((item) => !matches || matches(item))
        .sort((a, b) => statusTime(b) - statusTime(a) || (b.draft ?? 0) - (a.draft ?? 0) || byNumber(a, b));
      total = matches ? listed.length : all;
    } else {
      // The office's whole ledger: every item issued, the highest number first, only as many as shown (with a
      // keyword, every header is read, to count the items whose title has it).
      ({ listed, total } = matches ? await matching(rt, matches) : { listed: await rt.store.getHeaders(await rt.store.ledgerPage(0, MAX_LINES)), total: await rt.store.ledgerCount() });
    }
    const shown = listed.slice(0, MAX_LINES);
    const refsShown = (item: ItemHeader) => refsOf.get(item.id) ?? item.units.map((u) => assignmentRef(item.id, u));
    // With each 配合 unit of an item run by its lead unit, the lead unit's record: its delivery is theirs (on time).
    const leadRefs = (item: ItemHeader) => (item.leadRule ? [assignmentRef(item.id, item.lead)] : []);
    const found = await rt.store.getAssignmentsByRef([...new Set(shown.filter(isIssued).flatMap((item) => [...refsShown(item), ...leadRefs(item)]))]);
    const lines = shown.map((item) => {
      if (!isIssued(item)) return `${noticeNumber(item)} ${item.title}｜${itemStatusText(item, rt.config.tz)}`;
      // In the order the office gave the units.
      const mine = new Set(refsShown(item));
      const as = item.units.flatMap((u) => {
        const ref = assignmentRef(item.id, u);
        const a = mine.has(ref) ? found.get(ref) : undefined;
        return a ? [a] : [];
      });
      const lead = item.leadRule ? found.get(assignmentRef(item.id, item.lead)) : undefined;
      return line(item, as, now, rt.config.tz, (id) => dir.unitName(id), (p) => dir.personName(p), lead);
    });
    const titled = keyword ? `标题含「${excerpt(keyword)}」` : '';
    if (lines.length === 0) {
      const filtered = wantUnits.length > 0 || status !== undefined || overdueOnly;
      return [ctx.reply(keyword ? `台账中没有${filtered ? '符合条件且' : ''}${titled}的督查事项。` : '台账中没有符合条件的督查事项。')];
    }
    const head = `督查台账（${titled ? `${titled}，` : ''}共 ${total} 项${total > MAX_LINES ? `，显示前 ${MAX_LINES} 项` : ''}）`;
    return [ctx.reply([head, ...lines].join('\n'))];
  },
};

/** When an item came into the status it is listed by: drafted, cancelled, withdrawn. */
function statusTime(item: ItemHeader): number {
  return (item.status === 'cancelled' ? item.cancelledAt : item.status === 'withdrawn' ? item.withdrawnAt : item.createdAt) ?? 0;
}

/** Does an item's title have every word of the keyword (full-width folded, any case)? */
function titleMatcher(keyword: string): (item: ItemHeader) => boolean {
  const fold = (s: string) => s.normalize('NFKC').toLowerCase();
  const words = fold(keyword).split(/\s+/u).filter((w) => w !== '');
  return (item) => {
    const title = fold(item.title);
    return words.every((w) => title.includes(w));
  };
}

/** The issued items whose title matches, the highest number first: as many as shown, and how many in all. */
async function matching(rt: Runtime, matches: (item: ItemHeader) => boolean): Promise<{ listed: ItemHeader[]; total: number }> {
  const all = await rt.store.ledgerCount();
  const listed: ItemHeader[] = [];
  let total = 0;
  const PAGE = MAX_LINES * 2;
  for (let from = 0; from < all; from += PAGE) {
    const ids = await rt.store.ledgerPage(from, PAGE);
    if (ids.length === 0) break;
    for (const h of await rt.store.getHeaders(ids)) {
      if (!matches(h)) continue;
      total++;
      if (listed.length < MAX_LINES) listed.push(h);
    }
  }
  return { listed, total };
}

/** Highest 督字 number first. */
function byNumber(a: ItemHeader, b: ItemHeader): number {
  return numberOrder(b) - numberOrder(a);
}

function line(item: ItemHeader, shown: Assignment[], now: number, tz: string, unitName: (id: string) => string, personName: (id: string) => string, lead?: Assignment): string {
  const source = sourceLine(item, personName);
  const head = `${noticeNumber(item)}${isKey(item) ? '【重点】' : ''} ${item.title}${source ? `（${source}）` : ''}`;
  if (item.status === 'withdrawn') return `${head}｜${itemStatusText(item, tz)}`;
  const parts = shown.map((a) => {
    // A completed unit says whether it was on time (按期, 延期后按期, 逾期办结); an open one past its deadline, 【逾期】.
    const t = unitTimeliness(item, a, lead ? [lead, ...shown] : shown, now, tz);
    const mark = a.state === 'completed' ? `·${TIMELINESS_LABELS[t]}` : t === 'overdue' ? '【逾期】' : '';
    const n = extensionCount(a);
    return `${unitName(a.unit)}：${jointState(item, a) ?? STATE_LABELS[a.state]}${mark}（期限 ${formatDate(a.due)}${n ? `，已延期 ${n} 次` : ''}）`;
  });
  // An item whose units are all done waits for, or had, its 批办领导's review.
  const review = item.status === 'review' ? `｜${itemStatusText(item, tz)}` : '';
  return `${head}｜${parts.join('；')}${review}`;
}

/** A 批办领导's ledger: the items they instructed, highest number first (with a keyword, those whose title has it). */
async function leaderLedger(rt: Runtime, person: string, keyword: string | undefined, unitName: (id: string) => string, personName: (id: string) => string): Promise<string> {
  const matches = keyword ? titleMatcher(keyword) : undefined;
  const headers = (await rt.store.getHeaders(await rt.store.itemIdsOfLeader(person))).filter((h) => h.instructedBy === person && (!matches || matches(h)));
  if (headers.length === 0) return '台账中没有您批办的督查事项。';
  const shown = headers.sort(byNumber).slice(0, MAX_LINES);
  const found = await rt.store.getAssignmentsByRef(shown.flatMap((h) => h.units.map((u) => assignmentRef(h.id, u))));
  const now = rt.clock.now();
  const lines = shown.map((h) => line(h, h.units.flatMap((u) => found.get(assignmentRef(h.id, u)) ?? []), now, rt.config.tz, unitName, personName));
  return [`您批办的督查事项（共 ${headers.length} 项${headers.length > MAX_LINES ? `，显示前 ${MAX_LINES} 项` : ''}）`, ...lines].join('\n');
}
