// How /查看 shows an item's progress periods (进度=): the setting, and per unit the periods that went unanswered
// (进展报送逾期).
import { everyText, unitProgress, type PeriodContext, type ProgressItem, type UnitRecord } from '../domain/progress.ts';

/** `进度报送：每月一次（每期最后一个工作日提醒）`, or nothing for an item without progress periods. */
export function progressSetting(item: ProgressItem): string[] {
  return item.progress ? [`进度报送：${everyText(item.progress)}一次（每期最后一个工作日提醒）`] : [];
}

/** `；进展报送逾期 2 期（2026年9月、2026年10月）` for a unit behind, else ''. */
export function progressNote(item: ProgressItem, a: UnitRecord, now: number, ctx: PeriodContext): string {
  const p = unitProgress(item, a, now, ctx);
  if (!p || p.missed.length === 0) return '';
  const shown = p.missed.slice(-3).map((m) => m.label);
  return `；进展报送逾期 ${p.missed.length} 期（${p.missed.length > shown.length ? '…、' : ''}${shown.join('、')}）`;
}
