// Who in the office gets an item's office-side cards (signed reports to 受理, extension requests, 【逾期升级】, the
// leader's review and new instructions): the item's owner (督查员), not every clerk. Every office-side message of an
// item is addressed through here.
import type { Directory } from '../directory/directory.ts';
import { ownerOf, type ItemHeader } from './types.ts';

type OfficeDir = Pick<Directory, 'office' | 'officeHeads'>;

/**
 * Who takes over what an owner no longer in the office held: the first office head, else (no heads named) the first
 * office member.
 */
export function successorOwner(dir: OfficeDir): string {
  return dir.officeHeads[0] ?? dir.office[0]!;
}

/**
 * The office members an item's office-side cards go to: its owner. While an owner who has left the office still
 * stands on the record (the hand-over after a directory reload has not run yet), the one who will take it over.
 */
export function officeSide(item: Pick<ItemHeader, 'owner' | 'issuedBy' | 'createdBy'>, dir: OfficeDir): string[] {
  const owner = ownerOf(item);
  return [dir.office.includes(owner) ? owner : successorOwner(dir)];
}
