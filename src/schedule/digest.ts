// The office's daily digest (【督查日报】) at the slot: open assignments by state, overdue by unit, due within three
// working days, notices unreceived for over a day, signed reports waiting for 受理, units behind on progress reports,
// and how many units were on time (按期 / 延期后按期 / 逾期办结 / 逾期未办结). Nothing when nothing is open.
import { reportsToLead } from '../domain/joint.ts';
import type { Card } from '../chat/message.ts';
import { deliveryJobId, type Delivery } from '../delivery/delivery.ts';
import { calendarWarning } from '../domain/calendar.ts';
import { dateInTz, endOfDay, formatDate } from '../domain/dates.ts';
import { STATE_LABELS } from '../domain/rules.ts';
import { numberOrder, shortNumber } from '../domain/item-number.ts';
import { parseAssignmentRef, type AssignmentState, type ItemHeader } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';
import { progressOverdue } from './progress.ts';
import type { Slot } from './slots.ts';
import { TIMELINESS_LABELS } from '../domain/on-time.ts';
import { timelinessCounts } from './timeliness-counts.ts';
import { digestFor, digestReaders } from './owner-digest.ts';

const OPEN_STATES: AssignmentState[] = ['issued', 'received', 'awaiting_signature', 'signed', 'returned'];
/** Lines per section at most. */
const SHOWN = 15;
const DAY_MS = 86_400_000;
const CHUNK = 2000;

/** Refs (`item/unit`) by item number, then unit, their items' headers given: a numeric key each, so that sorting a city's refs stays cheap. */
function inItemOrder(refs: string[], headers: ReadonlyMap<string, ItemHeader>): string[] {
  const keyed = refs.map((ref) => {
    const { item, unit } = parseAssignmentRef(ref);
    const h = headers.get(item);
    return { ref, n: h ? numberOrder(h) : 0, unit };
  });
  keyed.sort((a, b) => a.n - b.n || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  return keyed.map((k) => k.ref);
}

/** The headers of the refs' items, read a chunk at a time (a city may have thousands open). */
async function headersOf(rt: Runtime, refs: readonly string[], into: Map<string, ItemHeader>): Promise<void> {
  const ids = [...new Set(refs.map((r) => parseAssignmentRef(r).item))].filter((id) => !into.has(id));
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const h of await rt.store.getHeaders(ids.slice(i, i + CHUNK))) into.set(h.id, h);
  }
}

function section(title: string, lines: string[], total: number): string {
  // 【】 rather than bold: the body is shown as plain text past its first line (it quotes what users typed).
  if (total === 0) return `【${title}】无`;
  const more = total > lines.length ? `\n……共 ${total} 项，发送 /台账 查看全部` : '';
  return `【${title}】${total} 项\n${lines.join('\n')}${more}`;
}

/** Builds the digest card as of the slot; undefined when nothing is open. */
export async function buildDigest(rt: Runtime, slot: Slot, late: boolean): Promise<Card | undefined> {
  const { store, config, calendar } = rt;
  const dir = rt.directory();
  const counts = await store.countsInStates(OPEN_STATES);
  const open = counts.reduce((a, b) => a + b, 0);
  if (open === 0) return undefined;

  const soonEnd = endOfDay(calendar.addWorkdays(slot.date, 3).date, config.tz);
  const [overdue, soon, issued, signed] = await Promise.all([
    store.refsDueBy(slot.at - 1),
    store.dueBetween(slot.at, soonEnd),
    store.refsInState('issued'),
    store.refsInState('signed'),
  ]);

  const byUnit = new Map<string, number>();
  for (const ref of overdue) {
    const u = parseAssignmentRef(ref).unit;
    byUnit.set(u, (byUnit.get(u) ?? 0) + 1);
  }
  const overdueLines = [...byUnit]
    .sort((a, b) => b[1] - a[1])
    .slice(0, SHOWN)
    .map(([u, n]) => `· ${dir.unitName(u)}：${n} 项`);

  // The items' headers: their numbers, and when the unreceived ones were issued.
  const headers = new Map<string, ItemHeader>();
  await headersOf(rt, [...soon.slice(0, SHOWN).map((t) => t.ref), ...issued, ...signed], headers);
  const no = (ref: string) => {
    const h = headers.get(parseAssignmentRef(ref).item);
    return h ? shortNumber(h) : '';
  };

  const soonLines = soon.slice(0, SHOWN).map(({ ref, at }) => `· ${no(ref)} ${dir.unitName(parseAssignmentRef(ref).unit)}，${formatDate(dateInTz(at, config.tz))}前`);

  // Unreceived for over a day.
  const stale = inItemOrder(
    issued.filter((ref) => {
      const at = headers.get(parseAssignmentRef(ref).item)?.issuedAt;
      return at !== undefined && slot.at - at > DAY_MS;
    }),
    headers,
  );
  const as = await store.getAssignmentsByRef(stale.slice(0, SHOWN));
  const staleLines = stale.slice(0, SHOWN).map((ref) => {
    const a = as.get(ref);
    return `· ${no(ref)} ${dir.unitName(parseAssignmentRef(ref).unit)}${a ? `（${dir.personName(a.responsible)}）` : ''}`;
  });

  // A 配合 unit's signed report of a joint item waits for its lead unit, not for the office (src/domain/joint.ts).
  const forOffice = signed.filter((ref) => {
    const { item, unit } = parseAssignmentRef(ref);
    return !reportsToLead(headers.get(item) ?? {}, unit);
  });
  const signedLines = inItemOrder(forOffice, headers)
    .slice(0, SHOWN)
    .map((ref) => `· ${no(ref)} ${dir.unitName(parseAssignmentRef(ref).unit)}`);

  // 按期 / 延期后按期 / 逾期办结 of every unit done, and 逾期未办结 of those open past their deadline: the one function's.
  const done = await timelinessCounts(rt, [...(await store.refsInState('completed')), ...overdue], slot.at);
  const doneLine = (['on_time', 'extended_on_time', 'late', 'overdue'] as const).map((t) => `${TIMELINESS_LABELS[t]} ${done[t]}`).join('，');
  // Units whose last progress period (进度=) ended with no signed report: shown only where items have such periods.
  const behind = await progressOverdue(rt, slot.at);
  const behindLines = behind
    .sort((x, y) => numberOrder(x.item) - numberOrder(y.item))
    .slice(0, SHOWN)
    .map(({ item, a, missed }) => `· ${shortNumber(item)} ${dir.unitName(a.unit)}：${missed.at(-1)!.label}进展未报送${missed.length > 1 ? `（累计 ${missed.length} 期）` : ''}`);

  const calendarNote = calendarWarning(calendar, slot.date);
  const countLine = OPEN_STATES.map((s, i) => `${STATE_LABELS[s]} ${counts[i]}`).join('，');
  return {
    title: `【督查日报】${late ? '（补发）' : ''}${formatDate(slot.date)}`,
    subtitle: dir.issuer,
    color: overdue.length > 0 ? 'red' : 'blue',
    fields: [
      { label: '在办', value: `${open} 项（按单位计）` },
      { label: '逾期', value: `${overdue.length} 项` },
    ],
    body: [
      ...(calendarNote ? [`⚠️ ${calendarNote}`] : []),
      `【按状态】${countLine}`,
      `【办结情况】${doneLine}（按单位计）`,
      section('逾期（按单位）', overdueLines, overdue.length),
      ...(behind.length ? [section('进展报送逾期', behindLines, behind.length)] : []),
      section('三个工作日内到期', soonLines, soon.length),
      section('发出超过一天未签收', staleLines, stale.length),
      section('已签署待受理', signedLines, forOffice.length),
    ].join('\n\n'),
    buttons: [],
  };
}

/**
 * Sends the digest, once per slot, to the office's heads and to each owner of an open item, their own items first
 * (owner-digest.ts); how many it went to (0 when nothing is open).
 */
export async function sendDigest(rt: Runtime, slot: Slot, late: boolean): Promise<number> {
  const card = await buildDigest(rt, slot, late);
  if (!card) return 0;
  const readers = await digestReaders(rt, slot);
  await rt.queues.deliver.addBulk(
    [...readers].map(([person, own]) => {
      const opId = `digest:${slot.date}:${person}`;
      const data: Delivery & { opId: string } = { kind: 'send', person, message: { kind: 'card', card: digestFor(card, own) }, opId };
      return { name: 'send', data, opts: { jobId: deliveryJobId(opId, 0) } };
    }),
  );
  return readers.size;
}
