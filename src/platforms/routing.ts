// Which platform a person is reached on, given the platforms switched on here, and who none of them can reach.
import type { PlatformAdapter } from '../delivery/adapter.ts';
import type { ChatPlatform, Person, Platform } from '../directory/directory.ts';

/**
 * Buttons one card may carry on every platform: WeCom's template cards take six (Feishu more). A card that lists
 * more actions (a reminder of many items) points to the ledger for the rest.
 */
export const CARD_MAX_BUTTONS = 6;

export type Adapters = Map<Platform, PlatformAdapter>;

/**
 * The platform a person is reached on: the one their directory entry prefers, or, when that one is not switched on
 * here, the other if they have an id there (so a person on both is never cut off by one platform being off).
 */
export function platformOf(person: Person, adapters: Adapters): Platform {
  // The local console is on only where no chat platform is: there, everyone is reached in the console.
  if (adapters.has('console')) return 'console';
  if (adapters.has(person.prefer)) return person.prefer;
  const other: ChatPlatform = person.prefer === 'feishu' ? 'wecom' : 'feishu';
  const hasOther = other === 'feishu' ? Boolean(person.feishu?.open_id || person.feishu?.user_id) : Boolean(person.wecom?.userid);
  return hasOther && adapters.has(other) ? other : person.prefer;
}

/** People who cannot be reached at all with the platforms switched on here (no id on any of them). */
export function unreachablePeople(people: readonly Person[], adapters: Adapters): Person[] {
  return people.filter((p) => !adapters.has(platformOf(p, adapters)));
}
