// Lenient parser of chat command text ("/新建 标题 单位=甲、乙 期限=10工作日") into a structured, platform-neutral result.
import type { ItemRef } from '../domain/item-number.ts';
import {
  COMMANDS,
  COMMAND_NAMES,
  commandLabel,
  findCommand,
  helpText,
  keyLabel,
  usageLine,
  usageOf,
  type CommandName,
  type CommandSpec,
  type FlagSpec,
  type KeySpec,
} from './commands.ts';

export { helpText, usageLine, usageOf, type CommandName };

export interface ParseOk {
  ok: true;
  command: CommandName;
  /** positional arguments: the title for new (words joined by one space), the raw item number, or a canonical command name for help */
  positional: string[];
  /** single-valued keys by canonical name; `key` of new is canonicalised to 重大|典型|紧急|民生|交办|疑难 */
  options: Record<string, string>;
  /** list keys (`unit`) by canonical name, items trimmed, never empty when present */
  lists: Record<string, string[]>;
  /** canonical flag names that are on: `overdue` (list), `final` (report) */
  flags: string[];
  /** the raw report text (report only) */
  rest?: string;
}

export interface ParseError {
  ok: false;
  kind: 'not_command' | 'unknown_command' | 'syntax';
  command?: CommandName;
  /** Chinese, names the mistake */
  message: string;
  /** the one usage line to show under the message: the command's, or that of the command an unknown name comes close to */
  usage?: string;
}

export type ParseResult = ParseOk | ParseError;

const KEY_SEPS = '=＝:：';
const LIST_SEPS = ',，、';
const QUOTE_PAIRS: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '“': '”',
  '‘': '’',
  '「': '」',
  '『': '』',
  '＂': '＂',
  '＇': '＇',
};
const HELP_WORDS = new Set(['帮助', 'help', '?', '？']);

// JS \s covers ASCII whitespace, U+3000 (ideographic space), NBSP and line breaks.
const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/u.test(ch);
const isKeySep = (ch: string | undefined): boolean => ch !== undefined && KEY_SEPS.includes(ch);
const isListSep = (ch: string | undefined): boolean => ch !== undefined && LIST_SEPS.includes(ch);
const fold = (s: string): string => s.normalize('NFKC').toLowerCase();

/** Looks like a key name (so `15:00` and `http://…` and long sentences with a colon are not keys). */
function isKeyLike(prefix: string): boolean {
  const p = prefix.normalize('NFKC');
  if (!/^[\p{L}_][\p{L}\p{M}\p{N}_-]*$/u.test(p)) return false;
  const ascii = /^[\x00-\x7f]*$/.test(p);
  return ascii ? p.length <= 24 : [...p].length <= 6;
}

interface Token {
  text: string;
  /** index in text of the separator after a key name, or -1 */
  keySep: number;
}

class SyntaxFail {
  constructor(readonly message: string) {}
}

/**
 * Splits on whitespace. A quote opens a quoted span (which may hold spaces) only at the start of
 * a word, right after a key separator, or right after a list separator in a value; elsewhere
 * (关于“放管服”改革) quote marks are ordinary characters.
 */
function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && isSpace(s[i])) i++;
    if (i >= n) break;
    const start = i;
    let keySep = -1;
    let quoted = false;
    let atOpen = true;
    while (i < n && !isSpace(s[i])) {
      const ch = s[i]!;
      const close = QUOTE_PAIRS[ch];
      if (atOpen && close !== undefined) {
        const j = s.indexOf(close, i + 1);
        if (j < 0) {
          const snippet = s.slice(i, i + 12);
          throw new SyntaxFail(`引号没有配对：从「${snippet}${s.length > i + 12 ? '…' : ''}」开始的 ${ch} 缺少对应的 ${close}。`);
        }
        i = j + 1;
        quoted = true;
        atOpen = false;
        continue;
      }
      if (isKeySep(ch)) {
        if (i === start) {
          atOpen = true; // a word that starts with "=" / "：" (written as "单位 = 值")
        } else if (keySep < 0 && !quoted && isKeyLike(s.slice(start, i)) && s.slice(i + 1, i + 3) !== '//') {
          keySep = i - start;
          atOpen = true;
        } else {
          atOpen = false;
        }
      } else {
        atOpen = isListSep(ch) && (keySep >= 0 || isKeySep(s[start]));
      }
      i++;
    }
    tokens.push({ text: s.slice(start, i), keySep });
  }
  return tokens;
}

/** Strips one pair of quotes when they wrap the whole value. */
function unquoteWhole(v: string): string {
  const first = v[0];
  const close = first === undefined ? undefined : QUOTE_PAIRS[first];
  if (close === undefined || v.length < 2) return v;
  return v.indexOf(close, 1) === v.length - 1 ? v.slice(1, -1) : v;
}

/** Splits a list value on , ， 、 outside quotes; each item unquoted and trimmed, empty items dropped. */
function splitList(v: string): string[] {
  const items: string[] = [];
  let cur = '';
  let i = 0;
  while (i < v.length) {
    const ch = v[i]!;
    const close = QUOTE_PAIRS[ch];
    if (cur.trim() === '' && close !== undefined) {
      const j = v.indexOf(close, i + 1);
      if (j >= 0) {
        cur += v.slice(i, j + 1);
        i = j + 1;
        continue;
      }
    }
    if (isListSep(ch)) {
      items.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
    i++;
  }
  items.push(cur);
  return items.map((x) => unquoteWhole(x.trim()).trim()).filter((x) => x !== '');
}

function findKey(spec: CommandSpec, name: string): KeySpec | undefined {
  const f = fold(name);
  return spec.keys.find((k) => k.aliases.some((a) => fold(a) === f));
}

function findFlag(spec: CommandSpec, word: string): FlagSpec | undefined {
  // tolerate a flag copied from the usage with its brackets: [逾期]
  const f = fold(word).replace(/^[[【(〔]\s*(.*?)\s*[\]】)〕]$/u, '$1');
  return spec.flags.find((k) => k.aliases.some((a) => fold(a) === f));
}

const TRUE_WORDS = new Set(['是', '有', 'true', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['否', '无', '不', 'false', 'no', 'n', '0', 'off']);

function keysList(spec: CommandSpec): string {
  return [...spec.keys.map(keyLabel), ...spec.flags.map(keyLabel)].join('、');
}

function syntaxError(command: CommandName, message: string): ParseError {
  return { ok: false, kind: 'syntax', command, message, usage: usageLine(command) };
}

/** Does the word parse as an item number (any year)? */
function isItemRef(word: string): boolean {
  return parseItemRef(word, 2000) !== undefined;
}

function badItemRef(command: CommandName, word: string): ParseError {
  return syntaxError(command, `「${word}」不是有效的事项编号。${ITEM_REF_FORMS}`);
}

/** How an item may be named, as refusals say it. */
export const ITEM_REF_FORMS = '编号写成 12、2026-12 或 督字〔2026〕12号；未发出的草稿写成 草稿7。';

/**
 * Parses one chat message. Text not starting with / or ／ is a command only when its first word is
 * a command name; otherwise the result is `not_command` and the message is not for the parser.
 */
export function parseCommand(text: string): ParseResult {
  const trimmed = text.trim();
  const first = trimmed[0];
  const slash = first === '/' || first === '／';
  const body = slash ? trimmed.slice(1).trimStart() : trimmed;

  let end = 0;
  while (end < body.length && !isSpace(body[end])) end++;
  const word = body.slice(0, end);
  let command = findCommand(word);
  let argsText = body.slice(end);

  if (command === undefined && slash && word !== '') {
    // "/催办12" or "/新建：标题": a Chinese command name glued to its arguments
    const glued = gluedCommand(word);
    if (glued !== undefined) {
      command = glued.command;
      argsText = word.slice(glued.length).replace(/^[:：]/u, '') + argsText;
    }
  }

  if (command === undefined) {
    if (!slash) {
      return { ok: false, kind: 'not_command', message: '这不是命令。命令以 / 开头，发送 /帮助 查看全部命令。' };
    }
    if (word === '') {
      return { ok: false, kind: 'unknown_command', message: '「/」后面缺少命令名。发送 /帮助 查看全部命令。' };
    }
    const guess = guessCommand(word);
    const hint = guess ? `是不是要用 ${commandLabel(guess)}？` : '';
    return {
      ok: false,
      kind: 'unknown_command',
      message: `没有「/${excerpt(word)}」这个命令。${hint}发送 /帮助 查看全部命令。`,
      usage: guess ? usageLine(guess) : undefined,
    };
  }

  try {
    // "/报送 ?" asks for the usage of 报送
    const only = argsText.trim();
    if (command !== 'help' && only !== '' && HELP_WORDS.has(fold(only))) {
      return { ok: true, command: 'help', positional: [command], options: {}, lists: {}, flags: [] };
    }
    const spec = COMMANDS[command];
    return spec.restText ? parseReport(spec, argsText) : parseArgs(spec, tokenize(argsText));
  } catch (e) {
    if (e instanceof SyntaxFail) return syntaxError(command, e.message);
    throw e;
  }
}

function gluedCommand(word: string): { command: CommandName; length: number } | undefined {
  let best: { command: CommandName; length: number } | undefined;
  for (const name of COMMAND_NAMES) {
    for (const alias of COMMANDS[name].aliases) {
      if (/^[\x20-\x7e]+$/.test(alias)) continue; // English names must stand alone: "/newer" is not "/new"
      if (word.startsWith(alias) && (best === undefined || alias.length > best.length)) {
        best = { command: name, length: alias.length };
      }
    }
  }
  return best;
}

function guessCommand(word: string): CommandName | undefined {
  const w = fold(word);
  if (w.length < 2) return undefined;
  for (const name of COMMAND_NAMES) {
    for (const alias of COMMANDS[name].aliases) {
      const a = fold(alias);
      if (a.length >= 2 && (a.startsWith(w) || w.startsWith(a))) return name;
    }
  }
  return undefined;
}

function parseArgs(spec: CommandSpec, tokens: Token[]): ParseResult {
  const cmd = spec.name;
  const label = commandLabel(cmd);
  const values = new Map<KeySpec, string[]>();
  const flags: string[] = [];
  const titleParts: string[] = [];
  const single: string[] = [];
  const slot = spec.positional[0];
  // A number after the item number (/附件 12 1); no command has more positional arguments than that.
  const second = spec.positional[1];
  // the key whose value a following bare word continues ("时间=2026-05-20 15:00")
  let last: KeySpec | undefined;

  const addValue = (k: KeySpec, raw: string, continuing: boolean): void => {
    const pieces = values.get(k) ?? [];
    if (k.list) pieces.push(...splitList(raw));
    else pieces.push(unquoteWhole(raw).trim());
    values.set(k, pieces);
    if (!continuing) last = k;
  };

  const startsKey = (t: Token | undefined): boolean =>
    t !== undefined &&
    (t.keySep >= 0 || findFlag(spec, t.text) !== undefined || findKey(spec, t.text) !== undefined);

  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    let keyName: string | undefined;
    let raw = '';
    if (tok.keySep >= 0) {
      keyName = tok.text.slice(0, tok.keySep);
      raw = tok.text.slice(tok.keySep + 1);
    } else {
      const next = tokens[t + 1];
      if (next !== undefined && isKeySep(next.text[0]) && (findKey(spec, tok.text) || findFlag(spec, tok.text))) {
        // "单位 = 甲" or "单位 ：甲"
        keyName = tok.text;
        raw = next.text.replace(/^[=＝:：]+/u, '');
        t++;
      }
    }

    if (keyName !== undefined) {
      const k = findKey(spec, keyName);
      if (k === undefined) {
        const flag = findFlag(spec, keyName);
        if (flag !== undefined) {
          const v = fold(unquoteWhole(raw).trim());
          if (TRUE_WORDS.has(v)) {
            if (!flags.includes(flag.name)) flags.push(flag.name);
          } else if (!FALSE_WORDS.has(v)) {
            return syntaxError(cmd, `「${keyLabel(flag)}」是开关，直接写「${flag.zh}」即可，不用写值。`);
          }
          last = undefined;
          continue;
        }
        return syntaxError(cmd, unknownKeyMessage(spec, keyName));
      }
      if (values.has(k)) {
        return syntaxError(cmd, `「${keyLabel(k)}」写了两次，只能写一次${k.list ? '（多个单位用 、 隔开写在一起）' : ''}。`);
      }
      if (raw.trim() === '' && tokens[t + 1] !== undefined && !startsKey(tokens[t + 1])) {
        // "单位： 甲" with a space after the separator
        raw = tokens[t + 1]!.text;
        t++;
      }
      addValue(k, raw, false);
      if ((values.get(k) ?? []).every((x) => x === '')) {
        return syntaxError(cmd, `「${keyLabel(k)}」后面没有填写内容。`);
      }
      continue;
    }

    const flag = findFlag(spec, tok.text);
    if (flag !== undefined) {
      if (!flags.includes(flag.name)) flags.push(flag.name);
      last = undefined;
      continue;
    }

    const word = unquoteWhole(tok.text);
    if (slot?.kind === 'title') {
      if (last !== undefined && titleParts.length > 0) addValue(last, tok.text, true);
      else titleParts.push(word);
      continue;
    }
    if (second?.kind === 'number' && single.length === 1) {
      const m = /^(?:附件|第)?(\d{1,4})(?:个|号)?$/u.exec(word.normalize('NFKC').trim());
      if (m && Number(m[1]) > 0) {
        single.push(String(Number(m[1])));
        continue;
      }
      return syntaxError(cmd, `「${excerpt(word)}」不是${second.zh}。序号是“附件1”“附件2”中的数字，例如：${label} 12 1`);
    }
    if (slot !== undefined && single.length === 0) {
      if (slot.kind === 'itemRef') {
        if (isItemRef(word)) {
          single.push(word.trim());
          last = undefined;
          continue;
        }
        if (last === undefined) return badItemRef(cmd, word);
      } else {
        const named = findCommand(word.replace(/^[/／]/u, ''));
        if (named === undefined) {
          return syntaxError(cmd, `没有「${word}」这个命令。可查的命令：${COMMAND_NAMES.map(commandLabel).join(' ')}`);
        }
        single.push(named);
        continue;
      }
    }
    if (last !== undefined) {
      addValue(last, tok.text, true);
      continue;
    }
    return syntaxError(cmd, extraMessage(spec, word));
  }

  // positional
  const positional: string[] = [];
  if (slot?.kind === 'title') {
    const title = titleParts.join(' ').trim();
    if (title === '' && slot.required) return syntaxError(cmd, `${label} 缺少${slot.zh}。`);
    if (title !== '') positional.push(title);
  } else if (slot !== undefined) {
    if (single.length === 0 && slot.required) return syntaxError(cmd, `${label} 缺少${slot.zh}，例如：${label} 12${second ? ' 1' : ''}`);
    if (second?.required && single.length < 2) return syntaxError(cmd, `${label} 缺少${second.zh}，例如：${label} ${single[0]} 1`);
    positional.push(...single);
  }

  // keys
  const options: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  for (const k of spec.keys) {
    const pieces = values.get(k);
    if (pieces === undefined || pieces.every((p) => p === '')) {
      if (k.required) return syntaxError(cmd, `${label} 缺少「${keyLabel(k)}」，写成 ${k.zh}=${k.placeholder}。`);
      continue;
    }
    if (k.list) {
      lists[k.name] = pieces.filter((p) => p !== '');
      continue;
    }
    let v = pieces.filter((p) => p !== '').join(' ');
    if (k.normalize) {
      const n = k.normalize(v);
      if (n === undefined) return syntaxError(cmd, `「${keyLabel(k)}」不能是「${v}」，只能是：${k.allowed ?? k.placeholder}。`);
      v = n;
    }
    options[k.name] = v;
  }
  return { ok: true, command: cmd, positional, options, lists, flags };
}

function unknownKeyMessage(spec: CommandSpec, key: string): string {
  const label = commandLabel(spec.name);
  if (spec.keys.length === 0 && spec.flags.length === 0) {
    return `${label} 没有「${key}」这个参数，它不带参数。`;
  }
  const slot = spec.positional[0];
  const titleHint = slot?.kind === 'title' ? `如果这是${slot.zh}的一部分，请把${slot.zh}放在引号里。` : '';
  return `${label} 没有「${key}」这个参数。可用的参数：${keysList(spec)}。${titleHint}`;
}

function extraMessage(spec: CommandSpec, word: string): string {
  const label = commandLabel(spec.name);
  const slot = spec.positional[0];
  const keys = spec.keys.length > 0 ? `参数要写成 名称=值，可用的参数：${keysList(spec)}。` : '';
  if (slot === undefined) return `看不懂「${word}」：${label} 不带编号或标题。${keys}`;
  return `多余的内容「${word}」：${label} 只需要一个${slot.zh}。${keys}`;
}

/** 报送: `<no> [办结] <text>`; the text is taken raw, keys are not parsed in it. */
function parseReport(spec: CommandSpec, argsText: string): ParseResult {
  const cmd = spec.name;
  const label = commandLabel(cmd);
  const finalRe = /^(?:[[【(（〔]\s*)?(?:办结|final)(?:\s*[\]】)）〕])?(?=$|[\s:：,，、])[:：,，、]?/iu;
  const flags: string[] = [];
  let s = argsText.trim();
  if (s === '') return syntaxError(cmd, `${label} 缺少事项编号和报告内容，例如：${label} 12 已完成整改。`);

  let m = finalRe.exec(s);
  if (m) {
    flags.push('final');
    s = s.slice(m[0].length).trimStart();
  }
  let end = 0;
  while (end < s.length && !isSpace(s[end])) end++;
  let no = s.slice(0, end);
  let after = s.slice(end);
  if (no === '') return syntaxError(cmd, `${label} 缺少事项编号，例如：${label} 12 已完成整改。`);
  if (!isItemRef(no)) {
    // "12：已完成……" with the text glued to the number
    const glued = /^(.+?)[:：,，、](.*)$/su.exec(no);
    if (glued && isItemRef(glued[1]!)) {
      no = glued[1]!;
      after = glued[2]! + after;
    } else {
      return badItemRef(cmd, no);
    }
  }
  after = after.trimStart();
  if (!flags.includes('final')) {
    m = finalRe.exec(after);
    if (m) {
      flags.push('final');
      after = after.slice(m[0].length);
    }
  }
  const rest = unquoteWhole(after.trim()).trim();
  if (rest === '') return syntaxError(cmd, `${label} 缺少${spec.restText?.zh ?? '报告内容'}：请在编号${flags.length ? '和“办结”' : ''}后面写上报告正文。`);
  return { ok: true, command: cmd, positional: [no], options: {}, lists: {}, flags, rest };
}

/**
 * An item number as people write it: `12`, `12号`, `第12号`, `#12`, `2026-12`, `2026-012`, `2026年12号`,
 * `督字〔2026〕12号`, `督字[2026]12号`, full-width digits. A number without a year is in `currentYear`. A draft's
 * reference: `草稿7`, `草稿第7号`, `draft7`, `draft-7`.
 */
export function parseItemRef(s: string, currentYear: number): ItemRef | undefined {
  let t = s.normalize('NFKC').replace(/\s+/gu, '');
  const d = /^(?:草稿|draft[-_]?)第?(\d{1,9})号?$/iu.exec(t);
  if (d) {
    const n = Number(d[1]);
    return n >= 1 ? { draft: n } : undefined;
  }
  t = t.replace(/^(?:#|no\.?|第)/iu, '');
  let year: number | undefined;
  let seq: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,6})号?$/u.exec(t))) {
    year = currentYear;
    seq = m[1];
  } else if ((m = /^(\d{4})(?:[-/._—–]|年第?)(\d{1,6})号?$/u.exec(t))) {
    year = Number(m[1]);
    seq = m[2];
  } else if ((m = /^(?:\p{Script=Han}{0,12})?[〔[(【〖{](\d{4})[〕\])】〗}]第?(\d{1,6})号?$/u.exec(t))) {
    year = Number(m[1]);
    seq = m[2];
  }
  if (year === undefined || seq === undefined) return undefined;
  const n = Number(seq);
  if (!Number.isInteger(n) || n < 1 || year < 1900 || year > 2999) return undefined;
  return { year, seq: n };
}

/** What a reply may quote of what a user typed: a short excerpt, never the whole of a long text. */
export function excerpt(s: string, max = 20): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max).join('')}…`;
}
