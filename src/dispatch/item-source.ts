// /新建's 来源=, 批办= and 文号=: where the task came from, the 批办领导 who instructed it (one of the directory's
// leaders:), and its document or instruction number. Bad input is refused before anything is created.
import type { Directory } from '../directory/directory.ts';
import { Refusal } from '../domain/refusal.ts';
import { parseSource, SOURCE_CHOICES } from '../domain/sources.ts';
import type { ItemHeader } from '../domain/types.ts';
import { personFrom } from './handler-kit.ts';

/** The longest 文号 kept: a document number, not a text. */
const REF_MAX = 60;

export function sourceOf(dir: Directory, options: Record<string, string>): Pick<ItemHeader, 'source' | 'instructedBy' | 'sourceRef'> {
  const out: Pick<ItemHeader, 'source' | 'instructedBy' | 'sourceRef'> = {};
  if (options.source !== undefined) {
    const src = parseSource(options.source);
    if (!src) throw new Refusal('bad_syntax', `来源「${options.source}」不对，可选：${SOURCE_CHOICES}`);
    out.source = src;
  }
  if (options.by !== undefined) {
    const leaders = dir.leaders.flatMap((id) => dir.person(id) ?? []);
    if (leaders.length === 0) throw new Refusal('bad_syntax', '通讯录中没有批办领导（leaders），不能写 批办=；请联系系统管理员补充');
    const p = personFrom(dir, options.by, '批办领导', leaders);
    if (!dir.isLeader(p.id)) {
      throw new Refusal('bad_syntax', `${p.name}不是通讯录中的批办领导；可写：${leaders.map((l) => l.name).join('、')}`);
    }
    out.instructedBy = p.id;
  }
  if (options.ref !== undefined) {
    const ref = options.ref.trim();
    if (!ref) throw new Refusal('bad_syntax', '文号不能为空');
    if ([...ref].length > REF_MAX) throw new Refusal('bad_syntax', `文号最多 ${REF_MAX} 字`);
    out.sourceRef = ref;
  }
  return out;
}
