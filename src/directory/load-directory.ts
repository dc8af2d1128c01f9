// Reads the org directory YAML file, checks it, and names the file and line of every problem in Chinese.
//
// Decisions an admin may trip over (also stated at the top of directory.example.yaml):
// - Every value is text: the file is read with the YAML "failsafe" schema, so `userid: 010086` keeps its
//   leading zero and `id: no` stays the string "no". Empty values, `~` and `null` mean "not given".
// - Every person must have at least one chat id. Each person in the directory is there to receive
//   notices or to act in chat; one with no id would have key notices silently go nowhere, so such a
//   file is refused at start-up rather than failing on the day an item is issued.
// - Ids (people and units) are ASCII letters, digits and `_ - .`, because commands name them in
//   `key=value` lists where Chinese punctuation and spaces are separators.
// - A unit's name may not equal another unit's id: commands accept either, and the two would clash.
// - Feishu open_id and user_id share one look-up table, so they must be unique together; WeCom
//   userids are unique among themselves.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type ErrorCode,
} from 'yaml';
import { z } from 'zod';
import { Directory, type ChatPlatform, type DirectoryData, type Person, type Unit } from './directory.ts';

export interface DirectoryProblem {
  /** 1-based line of the offending node, when there is one. */
  line?: number;
  /** The problem alone, in Chinese, without file or line. */
  message: string;
}

/** A directory file that cannot be used. The first problem (by line) is on the error itself. */
export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  readonly file: string;
  readonly line?: number;
  readonly problem: string;
  readonly problems: readonly DirectoryProblem[];

  constructor(file: string, problems: DirectoryProblem[]) {
    const sorted = [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    const first = sorted[0] ?? { message: '未知错误' };
    const shown = sorted.slice(0, MAX_SHOWN).map((p) => formatProblem(file, p));
    if (sorted.length > MAX_SHOWN) shown.push(`……另有 ${sorted.length - MAX_SHOWN} 处问题`);
    super(shown.join('\n'));
    this.file = file;
    if (first.line !== undefined) this.line = first.line;
    this.problem = first.message;
    this.problems = sorted;
  }
}

// Enough to fix a file in one pass without burying the first problem in a wall of text.
const MAX_SHOWN = 20;

function formatProblem(file: string, p: DirectoryProblem): string {
  return p.line === undefined ? `${file}：${p.message}` : `${file} 第 ${p.line} 行：${p.message}`;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const idDef = z.string().min(1, { abort: true }).regex(ID_RE);
const ref = z.string().min(1);
const text = z.string().trim().min(1);
// An empty `deputies:` reads as null; it means "none", the same as leaving the key out.
const refList = z
  .array(ref)
  .nullish()
  .transform((v) => v ?? []);

const feishuSchema = z.strictObject({
  open_id: z.string().min(1, { abort: true }).startsWith('ou_').nullish(),
  user_id: z.string().min(1).nullish(),
});
const wecomSchema = z.strictObject({
  userid: z.string().min(1).nullish(),
});
const unitSchema = z.strictObject({
  id: idDef,
  name: text,
  head: ref,
  deputies: refList,
  contacts: refList,
});
const personSchema = z.strictObject({
  id: idDef,
  name: text,
  feishu: feishuSchema.nullish(),
  wecom: wecomSchema.nullish(),
  prefer: z.enum(['feishu', 'wecom']).nullish(),
});
const fileSchema = z.strictObject({
  issuer: text,
  office: z.array(ref).min(1),
  office_heads: refList,
  leaders: refList,
  units: z.array(unitSchema),
  people: z.array(personSchema),
});
type FileShape = z.output<typeof fileSchema>;

type Path = readonly PropertyKey[];

/** Parses and checks directory text; `file` only names the source in messages. */
export function parseDirectory(text: string, file: string): DirectoryData {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'failsafe', prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;

  if (doc.errors.length > 0) {
    throw new DirectoryError(
      file,
      doc.errors.map((e) => ({ line: lineAt(e.pos[0]), message: yamlSyntaxMessage(e.code, e.message) })),
    );
  }
  markNulls(doc);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw new DirectoryError(file, [{ message: 'YAML 别名（*名字）展开后过大，请直接写出内容' }]);
  }
  if (raw === null || raw === undefined) {
    throw new DirectoryError(file, [{ message: '文件是空的；需要 issuer、office、units、people 四项' }]);
  }

  const locate = new Locator(doc, lineAt);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DirectoryError(
      file,
      parsed.error.issues.flatMap((issue) => describeIssue(issue, raw, locate)),
    );
  }

  const problems: DirectoryProblem[] = [];
  const data = crossCheck(parsed.data, locate, problems);
  if (problems.length > 0) throw new DirectoryError(file, problems);
  return data;
}

/** Reads the directory file's text; a file that cannot be read becomes a DirectoryError naming it. */
export async function readDirectoryFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? '找不到名录文件'
        : code === 'EACCES' || code === 'EPERM'
          ? '没有权限读取名录文件'
          : code === 'EISDIR'
            ? '这是一个目录，不是名录文件'
            : `读取名录文件失败（${code ?? String(e)}）`;
    throw new DirectoryError(path, [{ message: `${why}：${resolve(path)}` }]);
  }
}

export async function loadDirectoryFile(path: string): Promise<Directory> {
  return new Directory(parseDirectory(await readDirectoryFile(path), path));
}

// --- YAML helpers ---------------------------------------------------------------------------

const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);

// The failsafe schema keeps `~` and empty values as strings; only unquoted ones mean "not given".
function markNulls(doc: Document): void {
  visit(doc, {
    Scalar(key, node) {
      if (key !== 'key' && node.type === 'PLAIN' && typeof node.value === 'string' && NULL_WORDS.has(node.value)) {
        node.value = null;
      }
    },
  });
}

const YAML_CODES: Partial<Record<ErrorCode, string>> = {
  BAD_INDENT: '缩进不对，或括号没有闭合',
  BLOCK_AS_IMPLICIT_KEY: '这一行的缩进或冒号有问题',
  MULTILINE_IMPLICIT_KEY: '键必须写在一行内，可能是上一行少了冒号或缩进不对',
  DUPLICATE_KEY: '同一层里有重复的键',
  TAB_AS_INDENT: '不能用 Tab 缩进，请用空格',
  MISSING_CHAR: '缺少配对的符号（引号或括号）',
  UNEXPECTED_TOKEN: '有无法识别的内容',
  BAD_SCALAR_START: '值的第一个字符不能直接写（以 @ ` 等开头的值要加引号）',
  BAD_DQ_ESCAPE: '双引号里的转义写法不对',
  BAD_ALIAS: '别名（*名字）写法不对或找不到对应的锚点（&名字）',
  MULTIPLE_DOCS: '文件里只能有一份文档（多了 ---）',
  BLOCK_IN_FLOW: '方括号或花括号里不能换成缩进写法',
  KEY_OVER_1024_CHARS: '键太长',
};

function yamlSyntaxMessage(code: ErrorCode, english: string): string {
  const detail = english.replace(/ at line \d+, column \d+[\s\S]*$/, '').trim();
  return `YAML 语法错误：${YAML_CODES[code] ?? '格式有误'}（${detail}）`;
}

/** Maps a path in the data to the line of its node in the document. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineAt: (offset: number) => number,
  ) {}

  /** Line of the node at `path`; a missing node is reported at the nearest enclosing one. */
  line(path: Path): number | undefined {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (!(isMap(node) || isSeq(node))) break;
      const next: unknown = node.get(seg, true);
      if (next === undefined || next === null) break;
      node = next;
    }
    return this.lineOfNode(node);
  }

  /** Line of the key `key` in the map at `path`, for unknown keys. */
  keyLine(path: Path, key: string): number | undefined {
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (isMap(map)) {
      const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair) return this.lineOfNode(pair.key);
    }
    return this.line(path);
  }

  private lineOfNode(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] | null } | null)?.range;
    return range && range[0] !== undefined ? this.lineAt(range[0]) : undefined;
  }
}

// --- messages for schema problems -----------------------------------------------------------

const LABELS: Record<string, string> = {
  issuer: 'issuer（发文机关）',
  office: 'office（督查室人员）',
  office_heads: 'office_heads（督查室负责人）',
  leaders: 'leaders（批办领导）',
  units: 'units（单位）',
  people: 'people（人员）',
  name: 'name（名称）',
  head: 'head（一把手）',
  deputies: 'deputies（班子成员）',
  contacts: 'contacts（联络员）',
  feishu: 'feishu（飞书账号）',
  wecom: 'wecom（企业微信账号）',
  prefer: 'prefer（优先平台）',
};

function label(key: PropertyKey): string {
  return LABELS[String(key)] ?? String(key);
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** "单位 jtj", "人员 li", or "第 3 个单位" when the entry has no usable id yet. */
function entryName(data: unknown, list: 'units' | 'people', index: number): string {
  const id = valueAt(data, [list, index, 'id']);
  const kind = list === 'units' ? '单位' : '人员';
  return typeof id === 'string' && id !== '' ? `${kind} ${id}` : `第 ${index + 1} 个${kind}`;
}

/** "deputies（班子成员）第 2 项", or "feishu.open_id" where a gloss would split the dotted name. */
function fieldsText(fields: Path): string {
  let out = '';
  fields.forEach((f, i) => {
    if (typeof f === 'number') out = cat(out, `第 ${f + 1} 项`);
    else if (out !== '') out += `.${String(f)}`;
    else out = typeof fields[i + 1] === 'string' ? String(f) : label(f);
  });
  return out;
}

// Chinese needs no spaces between words, but ASCII ids beside Chinese read better with one.
function cat(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .reduce((out, p) => {
      if (out === '') return p;
      return /[\x21-\x7e]$/.test(out) || /^[\x21-\x7e]/.test(p) ? `${out} ${p}` : out + p;
    }, '');
}

/** Names the thing at `path` for a reader: "单位 jtj 的 head（一把手）". */
function describe(data: unknown, path: Path): string {
  const [top, index, ...rest] = path;
  if ((top === 'units' || top === 'people') && typeof index === 'number') {
    const entry = entryName(data, top, index);
    return rest.length === 0 ? entry : cat(entry, '的', fieldsText(rest));
  }
  return path.length === 0 ? '文件顶层' : fieldsText(path);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return '列表';
  if (typeof value === 'string') return `文字 "${value}"`;
  if (value !== null && typeof value === 'object') return '映射（键: 值）';
  return String(value);
}

const EXPECTED: Record<string, string> = {
  string: '文字',
  array: '列表（[a, b] 或每行 "- a"）',
  object: '映射（键: 值）',
};

const KEY_HINTS = {
  top: Object.keys(fileSchema.shape),
  unit: Object.keys(unitSchema.shape),
  person: Object.keys(personSchema.shape),
  feishu: Object.keys(feishuSchema.shape),
  wecom: Object.keys(wecomSchema.shape),
};

function allowedKeys(path: Path): string[] {
  const [top, , field] = path;
  if (path.length === 0) return KEY_HINTS.top;
  if (top === 'units' && path.length === 2) return KEY_HINTS.unit;
  if (top === 'people' && path.length === 2) return KEY_HINTS.person;
  if (top === 'people' && path.length === 3 && field === 'feishu') return KEY_HINTS.feishu;
  if (top === 'people' && path.length === 3 && field === 'wecom') return KEY_HINTS.wecom;
  return [];
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

function unknownKeyMessage(where: string, key: string, allowed: string[]): string {
  const close = allowed
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k) }))
    .filter(({ d, k }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  const hint = close
    ? `，是不是 "${close.k}"？`
    : allowed.length > 0
      ? `；这里可用的键：${allowed.join('、')}`
      : '';
  return cat(where, `有未知的键 "${key}"${hint}`);
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown, locate: Locator): DirectoryProblem[] {
  const path = issue.path;
  const value = valueAt(data, path);
  const at = (message: string): DirectoryProblem[] => [{ line: locate.line(path), message }];

  switch (issue.code) {
    case 'unrecognized_keys': {
      const where = path.length === 0 ? '文件顶层' : cat(describe(data, path), '里');
      return issue.keys.map((key) => ({
        line: locate.keyLine(path, key),
        message: unknownKeyMessage(where, key, allowedKeys(path)),
      }));
    }
    case 'invalid_type': {
      if (path.length === 0) return at('文件顶层应是 issuer、office、units、people 四项（键: 值）');
      if (value === undefined) {
        const parent = path.slice(0, -1);
        const owner = parent.length === 0 ? '文件' : describe(data, parent);
        return at(cat(owner, '缺少', label(path[path.length - 1]!)));
      }
      if (value === null) return at(cat(describe(data, path), '没有填'));
      return at(cat(describe(data, path), `应是${EXPECTED[issue.expected] ?? issue.expected}，现在是${kindOf(value)}`));
    }
    case 'too_small':
      return at(
        cat(describe(data, path), issue.origin === 'array' ? '至少要有一项' : '不能为空'),
      );
    case 'invalid_value':
      return at(
        cat(describe(data, path), `只能是 ${issue.values.map(String).join(' 或 ')}，现在是 "${String(value)}"`),
      );
    case 'invalid_format':
      if (issue.format === 'starts_with') {
        return at(
          `${describe(data, path)} "${String(value)}" 不是飞书 open_id（应以 ou_ 开头；工号一类的 ID 请填在 user_id）`,
        );
      }
      return at(
        `${describe(data, path)} "${String(value)}" 不合格：只能用英文字母、数字和 _ - .，且以字母或数字开头（如 jtj、zhangwei）`,
      );
    default:
      return at(`${describe(data, path)}：${issue.message}`);
  }
}

// --- cross-checks ---------------------------------------------------------------------------

const ROLE_WORD = { head: '一把手', deputies: '班子成员', contacts: '联络员' } as const;

function crossCheck(file: FileShape, locate: Locator, problems: DirectoryProblem[]): DirectoryData {
  const report = (path: Path, message: string) => problems.push({ line: locate.line(path), message });
  const lineText = (path: Path) => {
    const line = locate.line(path);
    return line === undefined ? '' : `第 ${line} 行`;
  };

  const personAt = new Map<string, number>();
  file.people.forEach((p, i) => {
    const first = personAt.get(p.id);
    if (first !== undefined) report(['people', i, 'id'], `人员 id "${p.id}" 重复（${lineText(['people', first, 'id'])}已有）`);
    else personAt.set(p.id, i);
  });

  const unitAt = new Map<string, number>();
  file.units.forEach((u, i) => {
    const first = unitAt.get(u.id);
    if (first !== undefined) report(['units', i, 'id'], `单位 id "${u.id}" 重复（${lineText(['units', first, 'id'])}已有）`);
    else unitAt.set(u.id, i);
  });
  const nameAt = new Map<string, number>();
  file.units.forEach((u, i) => {
    const first = nameAt.get(u.name);
    if (first !== undefined) {
      report(
        ['units', i, 'name'],
        `单位名称 "${u.name}" 重复（${lineText(['units', first, 'name'])}的单位 ${file.units[first]!.id} 已用）`,
      );
    } else nameAt.set(u.name, i);
    const other = unitAt.get(u.name);
    if (other !== undefined && other !== i) {
      report(['units', i, 'name'], `单位 ${u.id} 的名称 "${u.name}" 与另一个单位的 id 相同，按名称查找时会混淆`);
    }
  });

  const seenOffice = new Set<string>();
  file.office.forEach((id, k) => {
    if (!personAt.has(id)) report(['office', k], `office（督查室人员）里的 "${id}" 不在 people 名单中`);
    else if (seenOffice.has(id)) report(['office', k], `office（督查室人员）里 "${id}" 重复`);
    seenOffice.add(id);
  });
  // The office's heads get the whole office's digest and the items of an owner who leaves: they must be of the office.
  const seenHeads = new Set<string>();
  file.office_heads.forEach((id, k) => {
    if (!seenOffice.has(id)) report(['office_heads', k], `office_heads（督查室负责人）里的 "${id}" 不在 office（督查室人员）中；负责人须是督查室人员`);
    else if (seenHeads.has(id)) report(['office_heads', k], `office_heads（督查室负责人）里 "${id}" 重复`);
    seenHeads.add(id);
  });

  const seenLeader = new Set<string>();
  file.leaders.forEach((id, k) => {
    if (!personAt.has(id)) report(['leaders', k], `leaders（批办领导）里的 "${id}" 不在 people 名单中`);
    else if (seenLeader.has(id)) report(['leaders', k], `leaders（批办领导）里 "${id}" 重复`);
    seenLeader.add(id);
  });

  file.units.forEach((u, i) => {
    if (!personAt.has(u.head)) report(['units', i, 'head'], `单位 ${u.id} 的一把手 "${u.head}" 不在 people 名单中`);
    for (const field of ['deputies', 'contacts'] as const) {
      const seen = new Set<string>();
      u[field].forEach((id, k) => {
        const path = ['units', i, field, k];
        const word = ROLE_WORD[field];
        if (!personAt.has(id)) report(path, `单位 ${u.id} 的${word} "${id}" 不在 people 名单中`);
        else if (id === u.head) report(path, `单位 ${u.id} 的一把手 ${id} 不应同时列为${word}`);
        else if (seen.has(id)) report(path, `单位 ${u.id} 的${word} "${id}" 重复`);
        seen.add(id);
      });
    }
  });

  // open_id and user_id live in one look-up table (see Directory), so they share one namespace.
  const chatOwners = { feishu: new Map<string, number>(), wecom: new Map<string, number>() };
  const claim = (platform: ChatPlatform, chatId: string, i: number, path: Path, what: string) => {
    const owners = chatOwners[platform];
    const owner = owners.get(chatId);
    if (owner !== undefined && owner !== i) {
      const other = file.people[owner]!;
      report(
        path,
        `${what} "${chatId}" 已属于人员 ${other.id}（${lineText(['people', owner])}），一个账号不能对应两个人`,
      );
    } else owners.set(chatId, i);
  };

  const people: Person[] = file.people.map((p, i) => {
    const openId = p.feishu?.open_id ?? undefined;
    const userId = p.feishu?.user_id ?? undefined;
    const wecomId = p.wecom?.userid ?? undefined;
    if (openId) claim('feishu', openId, i, ['people', i, 'feishu', 'open_id'], '飞书 open_id');
    if (userId) claim('feishu', userId, i, ['people', i, 'feishu', 'user_id'], '飞书 user_id');
    if (wecomId) claim('wecom', wecomId, i, ['people', i, 'wecom', 'userid'], '企业微信 userid');

    const hasFeishu = Boolean(openId || userId);
    const hasWecom = Boolean(wecomId);
    if (p.feishu && !hasFeishu) {
      report(['people', i, 'feishu'], `人员 ${p.id} 的 feishu 下没有 open_id 或 user_id；没有飞书账号就删掉 feishu 这一项`);
    }
    if (p.wecom && !hasWecom) {
      report(['people', i, 'wecom'], `人员 ${p.id} 的 wecom 下没有 userid；没有企业微信账号就删掉 wecom 这一项`);
    }

    let prefer: ChatPlatform = hasFeishu ? 'feishu' : 'wecom';
    if (!hasFeishu && !hasWecom) {
      if (!p.feishu && !p.wecom) {
        report(
          ['people', i],
          `人员 ${p.id}（${p.name}）没有任何聊天账号，收不到消息；请填 feishu.open_id、feishu.user_id 或 wecom.userid`,
        );
      }
    } else if (p.prefer === 'wecom' && !hasWecom) {
      report(['people', i, 'prefer'], `人员 ${p.id} 的 prefer 是 wecom，但没有填 wecom.userid`);
    } else if (p.prefer === 'feishu' && !hasFeishu) {
      report(['people', i, 'prefer'], `人员 ${p.id} 的 prefer 是 feishu，但没有填 feishu.open_id 或 feishu.user_id`);
    } else if (p.prefer) {
      prefer = p.prefer;
    }

    const person: Person = { id: p.id, name: p.name, prefer };
    if (hasFeishu) {
      person.feishu = {};
      if (openId) person.feishu.open_id = openId;
      if (userId) person.feishu.user_id = userId;
    }
    if (wecomId) person.wecom = { userid: wecomId };
    return person;
  });

  const units: Unit[] = file.units.map((u) => ({
    id: u.id,
    name: u.name,
    head: u.head,
    deputies: [...u.deputies],
    contacts: [...u.contacts],
  }));

  return { issuer: file.issuer, office: [...file.office], officeHeads: [...file.office_heads], ...(file.leaders.length ? { leaders: [...file.leaders] } : {}), units, people };
}
