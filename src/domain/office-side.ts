// Who in the office gets an item's office-side cards (signed reports to 受理, extension requests, 【逾期升级】, the
// leader's review and new instructions). Every office-side message of an item is addressed through here.
import type { Directory } from '../directory/directory.ts';
import type { ItemHeader } from './types.ts';

/** The office members an item's office-side cards go to. */
export function officeSide(_item: Pick<ItemHeader, 'owner' | 'issuedBy' | 'createdBy'>, dir: Pick<Directory, 'office'>): string[] {
  return [...dir.office];
}
