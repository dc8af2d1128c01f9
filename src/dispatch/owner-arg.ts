// `督查员=` (/新建, /转交): the office member who owns an item, named by id or name. Someone not in the directory is
// refused with the office members close to what was typed; someone in it but not of the office, with who may own.
import { excerpt } from '../chat/parse-command.ts';
import type { Directory, Person } from '../directory/directory.ts';
import { personLabel } from '../directory/suggest.ts';
import { Refusal } from '../domain/refusal.ts';
import { personFrom } from './handler-kit.ts';

/** Office members listed by name in a refusal at most. */
const LISTED = 8;

/** The office member `s` names, or a refusal saying who may be the owner. */
export function ownerFrom(dir: Directory, s: string): Person {
  const office = dir.office.flatMap((id) => dir.person(id) ?? []);
  const p = personFrom(dir, s, '督查员', office);
  if (dir.isOffice(p.id)) return p;
  const names = office.slice(0, LISTED).map(personLabel).join('、') + (office.length > LISTED ? ` 等 ${office.length} 人` : '');
  throw new Refusal('bad_syntax', `督查员须是督查室工作人员，「${excerpt(s.trim())}」（${p.name}）不是。可选：${names}`);
}
