// /核验: checks one item for after-the-fact changes: its audit chain link by link, the chain's head and length against
// the header, each entry against its copy in the global audit stream, every record of the item (header, each unit's
// record) against the seal the chain last gave it and against what the trail states, every report's text, attachments
// and signature against their hashes and the entries that recorded them, and each attachment's file on disk against
// its hash. Says what it found, in Chinese.
import type { Directory } from '../directory/directory.ts';
import type { FileStore } from '../files/file-store.ts';
import { formatDateTime } from '../domain/dates.ts';
import type { Assignment, Attachment, ItemHeader, ItemStatus } from '../domain/types.ts';
import { ACTION_LABELS } from '../chat/texts.ts';
import { checkOwner } from './verify-owner.ts';
import { chainLink, textHash } from './audit-chain.ts';
import type { Store } from './store.ts';
import { checkRecords, checkTrail, lastSeals, type Trail, type TrailEntry } from './verify-records.ts';

export interface Verification {
  /** The item's header as it is now, when it can be read (for the reply's title). */
  header?: ItemHeader;
  /** Entries in the item's trail. */
  entries: number;
  /** The chain's last link (empty when there is no entry). */
  head: string;
  /** Records compared with their seals: the header and each unit's record. */
  records: number;
  reports: number;
  signatures: number;
  /** Attachments of the reports, each checked against its file on disk and the entries that recorded it. */
  attachments: number;
  /** What does not hold, one plain sentence each; empty when the record is intact. */
  problems: string[];
}

/**
 * Verifies an item as it is now; undefined when there is no such item (no header and no trail). With `files`, each
 * attachment's file on disk is hashed again too.
 */
export async function verifyItem(store: Store, id: string, dir: Directory, tz: string, files?: FileStore): Promise<Verification | undefined> {
  const problems: string[] = [];
  const { rows, head: keptHead, count: keptCount } = await store.auditChain(id);
  const rawHeader = await store.rawHeader(id);
  if (!rawHeader && rows.length === 0) return undefined;

  // The entries, each with the seals its copy in the global stream keeps for it (see APPEND_ENTRY in scripts.ts).
  const parsed = rows.map((row) => {
    try {
      return JSON.parse(row) as Record<string, string>;
    } catch {
      return undefined;
    }
  });
  const copies = await store.auditEntriesById(parsed.map((e) => e?.id ?? '0-0'));
  const trail: Trail = parsed.map((listed, i) => {
    if (!listed) return undefined;
    const rec = copies[i]?.rec;
    const e = rec !== undefined && listed.rec === undefined ? { ...listed, rec } : listed;
    return {
      e,
      d: detailOf(e),
      // Named only when a sentence needs it: a city-wide item's trail has tens of thousands of entries.
      get what() {
        return `第 ${i + 1} 条办理记录（${describe(e, dir, tz)}）`;
      },
    };
  });

  // The chain, link by link: a changed entry breaks its own link; a removed or inserted one breaks the next.
  let prev = '';
  trail.forEach((t, i) => {
    if (!t) {
      problems.push(`第 ${i + 1} 条办理记录无法读取（内容已损坏）`);
      return;
    }
    if (!t.e.h) {
      problems.push(`${t.what}没有链接值：它不是由本系统写入的`);
      return;
    }
    if (chainLink(prev, t.e) !== t.e.h) {
      problems.push(`${t.what}与链接值不符：这一条被改动过，或它前面有记录被删除、插入或调换`);
    }
    prev = t.e.h;
  });
  // The tail: what the header kept when the last entry was written.
  if (keptCount === undefined || keptHead === undefined) {
    if (rows.length) problems.push('事项上没有保存办理记录的链尾：无法确认末尾的记录是否完整');
  } else if (keptCount !== rows.length) {
    problems.push(
      keptCount > rows.length
        ? `事项上记载有 ${keptCount} 条办理记录，现只有 ${rows.length} 条：有 ${keptCount - rows.length} 条被删除`
        : `事项上记载有 ${keptCount} 条办理记录，现有 ${rows.length} 条：多出的 ${rows.length - keptCount} 条不是由本系统写入的`,
    );
  } else if (rows.length && keptHead !== prev) {
    problems.push('最后一条办理记录与事项上保存的链尾不符：末尾的记录被改动或替换过');
  }

  // Each entry against its copy in the global audit stream (written in the same step; the seals are in the copy only).
  parsed.forEach((listed, i) => {
    if (!listed?.id) return;
    const copy = copies[i];
    if (!copy) {
      problems.push(`第 ${i + 1} 条办理记录在总审计日志中找不到`);
      return;
    }
    const { id: _id, h: _h, ...fields } = listed;
    const { rec: _rec, ...kept } = copy;
    if (!sameFields(fields, kept)) problems.push(`第 ${i + 1} 条办理记录与总审计日志中的同一条不一致`);
  });

  // Every record against its last seal, then what the records say against what the trail says.
  const seals = lastSeals(trail);
  const doc = readDoc<ItemHeader>(rawHeader, '事项本身的记录', problems);
  const headerUnits = Array.isArray(doc?.units) ? doc.units.map(String) : [];
  const header: ItemHeader | undefined = doc && { ...doc, units: headerUnits, status: rawHeader!.status as ItemStatus };
  if (header && rawHeader!.completedAt) header.completedAt = Number(rawHeader!.completedAt);
  // The 督字 number the commit step wrote beside the document (an item of an earlier version holds it in its document).
  if (header && rawHeader!.year && rawHeader!.seq) {
    header.year = Number(rawHeader!.year);
    header.seq = Number(rawHeader!.seq);
  }
  const units = [...new Set([...headerUnits, ...seals.units.keys()])];
  const rawUnits = await store.rawAssignments(id, units);
  const records = checkRecords(seals, rawHeader, rawUnits, dir, problems);
  const assignments = units.flatMap((u) => {
    const a = readDoc<Assignment>(rawUnits.get(u), `${dir.unitName(u)}的交办记录`, problems);
    return a ? [a] : [];
  });
  if (header) checkTrail(trail, header, rawHeader!.open, assignments, dir, problems);
  if (header) checkOwner(trail, header, dir, problems);

  // Reports and signatures against their hashes and the entries that recorded them.
  let reports = 0;
  let signatures = 0;
  let attachments = 0;
  const onDisk = new Map<string, Promise<'ok' | 'missing' | 'changed'>>();
  const fileState = (sha: string) => {
    if (!onDisk.has(sha)) onDisk.set(sha, /^[0-9a-f]{64}$/.test(sha) ? files!.check(sha) : Promise.resolve('missing'));
    return onDisk.get(sha)!;
  };
  const byReport = new Map<string, TrailEntry[]>();
  for (const t of trail) {
    if (!t || t.d.version === undefined) continue;
    const key = `${t.e.action}\n${t.e.unit}\n${String(t.d.version)}`;
    byReport.set(key, [...(byReport.get(key) ?? []), t]);
  }
  const recorded = (action: string, unit: string, version: number) => byReport.get(`${action}\n${unit}\n${version}`) ?? [];
  for (const a of assignments) {
    const unitName = dir.unitName(a.unit);
    for (const r of Array.isArray(a.reports) ? a.reports : []) {
      reports++;
      const what = `${unitName}第 ${r.version} 稿报告`;
      if (textHash(String(r.text)) !== r.hash) problems.push(`${what}的正文与其哈希不符：正文在报送后被改动过`);
      const submitted = recorded('submit', a.unit, r.version);
      if (submitted.length === 0) problems.push(`${what}没有对应的报送记录`);
      else if (!submitted.some(({ d }) => d.hash === r.hash)) problems.push(`${what}与报送时记录的哈希不符：正文在报送后被改动过`);
      const review = REVIEWS[r.status];
      if (review && recorded(review.action, a.unit, r.version).length === 0) {
        problems.push(`${what}标为${review.label}，但办理记录中没有对应的${ACTION_LABELS[review.action]}记录`);
      }
      // The attachments: as the trail recorded them (at submission, then each added while it waited for signature),
      // and each file on disk against its hash.
      const list = Array.isArray(r.attachments) ? r.attachments : [];
      const hashes = list.map((f) => String(f.sha256));
      attachments += list.length;
      if (submitted.length > 0) {
        const expected = [...hashList(submitted[0]!.d.attachments), ...recorded('attach', a.unit, r.version).map(({ d }) => String(d.sha256))];
        problems.push(...attachmentsAgainst(what, list, expected, '报送和补充附件时记录的'));
      }
      if (files) {
        for (const f of list) {
          const state = await fileState(String(f.sha256));
          if (state === 'missing') problems.push(`${what}的附件${f.n}「${f.name}」在文件库中找不到：文件被删除或移走，或附件的哈希被改动过`);
          if (state === 'changed') problems.push(`${what}的附件${f.n}「${f.name}」的文件内容与其哈希不符：文件在报送后被改动过`);
        }
      }
      const s = r.signature;
      if (!s) continue;
      signatures++;
      const signer = dir.personName(s.by);
      if (s.version !== r.version || s.hash !== r.hash || s.text !== r.text || textHash(String(s.text)) !== s.hash) {
        problems.push(`${what}的签署（${signer}）与所签文本不一致：签署后报告或签署内容被改动过`);
      }
      if (!sameList(hashList(s.attachments), hashes)) {
        problems.push(`${what}的签署（${signer}）与现有附件不一致：签署后附件被改动、增加或删除，或签署内容被改动过`);
      }
      const signed = recorded('sign', a.unit, r.version);
      if (signed.length === 0) problems.push(`${what}有签署（${signer}），但没有对应的签署记录`);
      else if (!signed.some(({ e, d }) => d.hash === s.hash && e.actor === s.by)) {
        problems.push(`${what}的签署（${signer}）与签署记录中的签署人或哈希不符`);
      } else if (!signed.some(({ d }) => sameList(hashList(d.attachments), hashList(s.attachments)))) {
        problems.push(`${what}的签署（${signer}）所签的附件与签署记录不符`);
      }
    }
  }
  return { ...(header ? { header } : {}), entries: rows.length, head: prev, records, reports, signatures, attachments, problems };
}

/** A list of hashes as an entry or a signature keeps it (absent: none). */
function hashList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What differs between a report's attachments and the hashes the trail recorded for it, each named. */
function attachmentsAgainst(what: string, list: readonly Attachment[], expected: readonly string[], source: string): string[] {
  const out: string[] = [];
  list.forEach((f, i) => {
    if (i < expected.length && String(f.sha256) !== expected[i]) out.push(`${what}的附件${f.n}「${f.name}」与${source}哈希不符：附件记录被改动过`);
  });
  if (list.length !== expected.length) {
    out.push(`${what}现有附件 ${list.length} 个，办理记录记载 ${expected.length} 个：附件${list.length > expected.length ? '被添加' : '被删除'}过`);
  }
  return out;
}

/** A report's status that only an entry of the trail can give it. */
const REVIEWS: Partial<Record<string, { action: string; label: string }>> = {
  accepted: { action: 'accept', label: '已受理' },
  returned: { action: 'return', label: '已退回' },
  sent_back: { action: 'send_back', label: '退回联络员修改' },
};

/** A record's document, or undefined (and a problem when the record is there but cannot be read). */
function readDoc<T>(fields: Record<string, string> | undefined, what: string, problems: string[]): T | undefined {
  if (!fields?.doc) return undefined;
  try {
    const doc = JSON.parse(fields.doc) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as T;
  } catch {
    // said below
  }
  problems.push(`${what}无法读取（内容已损坏）`);
  return undefined;
}

function detailOf(e: Record<string, string>): Record<string, unknown> {
  try {
    const d = e.detail ? (JSON.parse(e.detail) as unknown) : {};
    return d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function describe(e: Record<string, string>, dir: Directory, tz: string): string {
  const at = Number(e.at);
  const when = Number.isFinite(at) ? formatDateTime(at, tz) : '时间不明';
  const who = e.actor === 'system' ? '系统' : e.actor ? dir.personName(e.actor) : '';
  return `${when} ${who} ${ACTION_LABELS[e.action ?? ''] ?? e.action ?? ''}`.replace(/\s+/g, ' ').trim();
}

function sameFields(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === String(a[k]));
}
