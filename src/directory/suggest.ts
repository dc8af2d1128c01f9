// "Did you mean": the units and people of the directory that come close to a name it does not know, by id, full
// name, short name (市交通运输局 ↔ 交通运输局 ↔ 交通局) and pinyin (交通局 → jtj; 李名 sounds like 李明). Pure.
import { pinyin } from 'pinyin-pro';
import type { Directory, Person, Unit } from './directory.ts';

/** At most this many suggestions: more is a list to read, not a hint. */
export const MAX_SUGGESTIONS = 3;

/** What a unit or a person is known by, folded once per directory snapshot. */
interface Entry<T> {
  of: T;
  id: string;
  /** the full name and its short forms */
  names: string[];
  /** pinyin initials of each name (交通运输局 → jtysj) */
  initials: string[];
  /** full pinyin of each name, without spaces (李明 → liming) */
  spelled: string[];
}

// A unit's name without its level (市, 区, 县, 省) and with the long forms of its kind shortened, as people say it.
const LEVEL = /^(?:省|市|区|县)/u;
const SHORT_KINDS: ReadonlyArray<[RegExp, string]> = [
  [/委员会$/u, '委'],
  [/办公室$/u, '办'],
  [/人民政府$/u, '政府'],
];

const HAN = /\p{Script=Han}/u;

/** How text is compared: full-width folded, lower case, no spaces or quotes. */
export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s"'“”‘’「」『』]/gu, '');
}

const initialsOf = (s: string): string => pinyin(s, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase();
const spellingOf = (s: string): string => pinyin(s, { toneType: 'none', type: 'array' }).join('').toLowerCase();

/** The forms a unit's name is written in: 市卫生健康委员会, 卫生健康委员会, 市卫生健康委, 卫生健康委. */
function unitNames(name: string): string[] {
  const full = fold(name);
  const forms = new Set([full, full.replace(LEVEL, '')]);
  for (const f of [...forms]) for (const [long, short] of SHORT_KINDS) forms.add(f.replace(long, short));
  return [...forms].filter((f) => f !== '');
}

function entry<T>(of: T, id: string, names: string[]): Entry<T> {
  return { of, id: fold(id), names, initials: names.map(initialsOf), spelled: names.map(spellingOf) };
}

const unitIndex = new WeakMap<Directory, Entry<Unit>[]>();
const peopleIndex = new WeakMap<readonly Person[], Entry<Person>[]>();

function unitsOf(dir: Directory): Entry<Unit>[] {
  let found = unitIndex.get(dir);
  if (!found) unitIndex.set(dir, (found = dir.allUnits().map((u) => entry(u, u.id, unitNames(u.name)))));
  return found;
}

function peopleOf(people: readonly Person[]): Entry<Person>[] {
  let found = peopleIndex.get(people);
  if (!found) peopleIndex.set(people, (found = people.map((p) => entry(p, p.id, [fold(p.name)]))));
  return found;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b, by character. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[x.length]![y.length]!;
}

/** How many slips a word of this length may have and still be the same word: none in two characters. */
function slips(s: string): number {
  const n = [...s].length;
  return n <= 2 ? 0 : n <= 5 ? 1 : 2;
}

/** Are the characters of `short` all in `long`, in order (住建局 in 住房和城乡建设局)? */
function inOrder(short: string, long: string): boolean {
  let i = 0;
  const s = [...short];
  for (const ch of long) if (ch === s[i]) i++;
  return i === s.length;
}

/**
 * How close `typed` (folded) comes to an entry: 100 the same, 0 not close. Chinese is compared by name, short form,
 * characters in order, sound and initials; Latin letters by id, initials and spelling.
 */
function closeness(typed: string, e: Entry<unknown>, shortForms: boolean): number {
  const names = e.names;
  if (typed === e.id || names.includes(typed)) return 100;
  let best = 0;
  const take = (v: number) => (best = Math.max(best, v));
  if (HAN.test(typed)) {
    const initials = initialsOf(typed);
    const spelled = spellingOf(typed);
    if (initials.length >= 2 && (initials === e.id || e.initials.includes(initials))) take(90);
    if (e.spelled.includes(spelled)) take(85);
    if ([...typed].length >= 2 && names.some((n) => n.includes(typed))) take(80);
    if (names.some((n) => [...n].length >= 2 && typed.includes(n))) take(75);
    const bare = typed.replace(LEVEL, '');
    if (shortForms && [...bare].length >= 2 && names.some((n) => n[0] === bare[0] && inOrder(bare, n))) take(70);
    for (const n of names) {
      const d = editDistance(typed, n);
      if (d <= slips(n)) take(60 - 10 * d);
    }
  } else {
    const d = editDistance(typed, e.id);
    if (d <= slips(e.id)) take(65 - 10 * d);
    if (typed.length >= 2 && (e.id.startsWith(typed) || typed.startsWith(e.id))) take(55);
    if (typed.length >= 2 && e.initials.includes(typed)) take(80);
    if (typed.length >= 4 && e.spelled.some((s) => s.startsWith(typed))) take(75);
    for (const i of e.initials) if (typed.length >= 3 && editDistance(typed, i) <= 1) take(50);
  }
  return best;
}

/** The closest entries, best first (the directory's order among equals), leaving out those far behind the best. */
function closest<T>(entries: Entry<T>[], typed: string, shortForms: boolean, max: number): { of: T; score: number }[] {
  const t = fold(typed);
  if (t === '') return [];
  const scored = entries.map((e, i) => ({ of: e.of, score: closeness(t, e, shortForms), i })).filter((s) => s.score > 0);
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  const top = scored[0]?.score ?? 0;
  return scored.filter((s) => s.score >= top - 25).slice(0, max);
}

/** Units of the directory that come close to what was typed, best first (at most three). */
export function suggestUnits(dir: Directory, typed: string, max = MAX_SUGGESTIONS): Unit[] {
  return closest(unitsOf(dir), typed, true, max).map((s) => s.of);
}

/** People (of those given: a command's candidates, or everyone) who come close to what was typed, best first. */
export function suggestPeople(people: readonly Person[], typed: string, max = MAX_SUGGESTIONS): Person[] {
  return closest(peopleOf(people), typed, false, max).map((s) => s.of);
}

/**
 * The one unit written the same way up to width, case and spaces (`ＪＴＪ`, `市交通运输局 `): that is no guess,
 * only a different keyboard. Undefined unless exactly one unit is.
 */
export function unitWrittenAs(dir: Directory, typed: string): Unit | undefined {
  const t = fold(typed);
  const same = unitsOf(dir).filter((e) => e.id === t || e.names[0] === t);
  return same.length === 1 ? same[0]!.of : undefined;
}

/** 市交通运输局（jtj） */
export function unitLabel(u: Unit): string {
  return `${u.name}（${u.id}）`;
}

/** 王建国（wang） */
export function personLabel(p: Person): string {
  return `${p.name}（${p.id}）`;
}

/** `，您是不是要找：甲、乙？` for the suggestions given; empty when there are none. */
export function didYouMean(labels: readonly string[]): string {
  return labels.length ? `，您是不是要找：${labels.join('、')}？` : '';
}
