// After the directory changes (or at start-up, in case it changed while the service was down): every open
// assignment whose leader the directory no longer names follows it (see follow-leader.ts), at once rather than at
// the next reminder, so that /催办, a report to sign or a chase goes to the leader of now.
import { isIssued } from '../domain/types.ts';
import type { Runtime } from '../infra/runtime.ts';
import { responsibleLeader } from '../domain/responsible-leader.ts';
import { followLeader } from './follow-leader.ts';
import { followOwners } from './follow-owner.ts';

const CHUNK = 500;

export async function followDirectory(rt: Runtime): Promise<{ checked: number; moved: number }> {
  // An owner (督查员) who left the office hands their items on first (follow-owner.ts).
  await followOwners(rt);
  const dir = rt.directory();
  let checked = 0;
  let moved = 0;
  for (const unit of dir.allUnits()) {
    const ids = await rt.store.itemIds(unit.id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const headers = (await rt.store.getHeaders(ids.slice(i, i + CHUNK))).filter((h) => isIssued(h) && h.status === 'open');
      const as = await rt.store.getAssignmentsByRef(headers.map((h) => `${h.id}/${unit.id}`));
      for (const h of headers) {
        const a = as.get(`${h.id}/${unit.id}`);
        if (!a || a.state === 'completed') continue;
        checked++;
        const leader = responsibleLeader(h.category, a.unit, a.responsible, dir);
        if (leader && leader !== a.responsible && dir.person(leader)) {
          await followLeader(rt, h, a);
          moved++;
        } else if (!leader) {
          // Nobody left to take it: the office is told now (once), not at the next reminder.
          await followLeader(rt, h, a);
        }
      }
    }
  }
  if (moved > 0) rt.log.info({ checked, moved }, '未办结的交办已按组织名录更换负责领导');
  return { checked, moved };
}
