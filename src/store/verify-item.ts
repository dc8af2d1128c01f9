// /核验: checks one item's record for after-the-fact changes: its audit chain link by link, the chain's head and
// length against the header, each entry against its copy in the global audit stream, and every report's text and
// signature against their hashes and against the audit entries that recorded them. Says what it found, in Chinese.
import type { Directory } from '../directory/directory.ts';
import { formatDateTime } from '../domain/deadline.ts';
import type { Item } from '../domain/types.ts';
import { ACTION_LABELS } from '../chat/texts.ts';
import { chainLink, textHash } from './audit-chain.ts';
import type { Store } from './store.ts';

export interface Verification {
  /** Entries in the item's trail. */
  entries: number;
  /** The chain's last link (empty when there is no entry). */
  head: string;
  reports: number;
  signatures: number;
  /** What does not hold, one plain sentence each; empty when the record is intact. */
  problems: string[];
}

/** Verifies an item's record as it is now; the item must exist. */
export async function verifyItem(store: Store, item: Item, dir: Directory, tz: string): Promise<Verification> {
  const problems: string[] = [];
  const { rows, head: keptHead, count: keptCount } = await store.auditChain(item.id);

  // The chain, link by link: a changed entry breaks its own link; a removed or inserted one breaks the next.
  const entries: (Record<string, string> | undefined)[] = [];
  let prev = '';
  rows.forEach((row, i) => {
    const n = i + 1;
    let e: Record<string, string>;
    try {
      e = JSON.parse(row) as Record<string, string>;
    } catch {
      problems.push(`第 ${n} 条办理记录无法读取（内容已损坏）`);
      entries.push(undefined);
      return;
    }
    entries.push(e);
    if (!e.h) {
      problems.push(`第 ${n} 条办理记录（${describe(e, dir, tz)}）没有链接值：它不是由本系统写入的`);
      return;
    }
    if (chainLink(prev, e) !== e.h) {
      problems.push(`第 ${n} 条办理记录（${describe(e, dir, tz)}）与链接值不符：这一条被改动过，或它前面有记录被删除、插入或调换`);
    }
    prev = e.h;
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

  // Each entry against its copy in the global audit stream (written in the same step).
  const copies = await store.auditEntriesById(entries.map((e) => e?.id ?? '0-0'));
  entries.forEach((e, i) => {
    if (!e?.id) return;
    const copy = copies[i];
    if (!copy) {
      problems.push(`第 ${i + 1} 条办理记录在总审计日志中找不到`);
      return;
    }
    const { id: _id, h: _h, ...fields } = e;
    if (!sameFields(fields, copy)) problems.push(`第 ${i + 1} 条办理记录与总审计日志中的同一条不一致`);
  });

  // Reports and signatures against their hashes and the entries that recorded them.
  let reports = 0;
  let signatures = 0;
  const details = entries.map((e) => {
    try {
      return e?.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  });
  const recorded = (action: string, unit: string, version: number) =>
    entries.flatMap((e, i) => (e && e.action === action && e.unit === unit && details[i]!.version === version ? [{ e, d: details[i]! }] : []));
  for (const a of item.assignments) {
    const unitName = dir.unitName(a.unit);
    for (const r of a.reports) {
      reports++;
      const what = `${unitName}第 ${r.version} 稿报告`;
      if (textHash(r.text) !== r.hash) problems.push(`${what}的正文与其哈希不符：正文在报送后被改动过`);
      const submitted = recorded('submit', a.unit, r.version);
      if (submitted.length === 0) problems.push(`${what}没有对应的报送记录`);
      else if (!submitted.some(({ d }) => d.hash === r.hash)) problems.push(`${what}与报送时记录的哈希不符：正文在报送后被改动过`);
      const s = r.signature;
      if (!s) continue;
      signatures++;
      const signer = dir.personName(s.by);
      if (s.version !== r.version || s.hash !== r.hash || s.text !== r.text || textHash(s.text) !== s.hash) {
        problems.push(`${what}的签署（${signer}）与所签文本不一致：签署后报告或签署内容被改动过`);
      }
      const signed = recorded('sign', a.unit, r.version);
      if (signed.length === 0) problems.push(`${what}有签署（${signer}），但没有对应的签署记录`);
      else if (!signed.some(({ e, d }) => d.hash === s.hash && e.actor === s.by)) {
        problems.push(`${what}的签署（${signer}）与签署记录中的签署人或哈希不符`);
      }
    }
  }
  return { entries: rows.length, head: prev, reports, signatures, problems };
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
