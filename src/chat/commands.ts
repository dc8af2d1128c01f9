// The chat command table: every bot command with its names, arguments and Chinese usage; who may use it comes from
// the access table (src/domain/access.ts), so the help says what the handlers do.
import { ACCESS, RESPONSIBLE_NOTE, whoLine, type Command } from '../domain/access.ts';
import { CATEGORIES, parseCategory } from '../domain/categories.ts';
import { DRAFT_KEPT_DAYS } from '../domain/drafts.ts';
import { parseProgressEvery, PROGRESS_CHOICES } from '../domain/progress.ts';
import { REASON_MAX } from '../domain/reasons.ts';
import { parseSource, SOURCE_CHOICES, SOURCES } from '../domain/sources.ts';
import { STATUS_CHOICES } from './texts.ts';
import { PERIOD_CHOICES } from '../output/period.ts';

export const COMMAND_NAMES = [
  'new',
  'cancel',
  'amend',
  'withdraw',
  'handover',
  'list',
  'show',
  'attachment',
  'report',
  'urge',
  'summon',
  'outcome',
  'onsite',
  'extend',
  'return',
  'verify',
  'archive',
  'instruct',
  'stats',
  'bulletin',
  'help',
] as const satisfies readonly Command[];
export type CommandName = (typeof COMMAND_NAMES)[number];

/** The six kinds of key item (重点事项), as the command language names them: 重大|典型|紧急|民生|交办|疑难. */
export const KEY_CATEGORIES = Object.entries(CATEGORIES).map(([en, c]) => ({ value: c.short, en, meaning: c.meaning, also: c.also }));
export type KeyCategory = string;

/** `重大`, `major`, `MAJOR`, the full meaning `影响全局的重大问题` (or `急` for 紧急) → `重大`; anything else → undefined. */
export function normalizeKeyCategory(s: string): KeyCategory | undefined {
  const c = parseCategory(s);
  return c && CATEGORIES[c].short;
}

/** A `key=value` argument. */
export interface KeySpec {
  /** canonical name: the key of `options` / `lists` in a parse result */
  name: string;
  /** Chinese name shown in usage and error messages */
  zh: string;
  /** every accepted spelling (Chinese and English; English compared case-insensitively) */
  aliases: readonly string[];
  /** comma / 、 separated list: the parse result has it in `lists`, not `options` */
  list?: boolean;
  required?: boolean;
  /** what the value looks like, for usage texts */
  placeholder: string;
  /** checks and canonicalises a value; undefined means the value is not allowed */
  normalize?: (value: string) => string | undefined;
  /** the allowed values, in Chinese, for the error message when `normalize` refuses */
  allowed?: string;
}

/** A bare word that switches something on, e.g. `逾期`. */
export interface FlagSpec {
  name: string;
  zh: string;
  aliases: readonly string[];
}

/** A positional argument, written before the keys. */
export interface PositionalSpec {
  name: string;
  zh: string;
  /** itemRef: an item number (see parseItemRef); title: all words joined (a title, a keyword); command: a command
   *  name; number: a whole number after the item number (an attachment's 序号) */
  kind: 'itemRef' | 'title' | 'command' | 'number';
  required: boolean;
}

/** Who the command is for, to group the help text. */
export type Audience = 'office' | 'unit' | 'leader' | 'anyone';

export interface CommandSpec {
  name: CommandName;
  /** Chinese name, the one shown first */
  zh: string;
  /** every accepted command word (without the slash) */
  aliases: readonly string[];
  /** who may use it, in Chinese, from the access table */
  who: string;
  /** the help group it is listed in, from the access table */
  audience: Audience;
  /** one line of what it does, in Chinese */
  summary: string;
  positional: readonly PositionalSpec[];
  keys: readonly KeySpec[];
  flags: readonly FlagSpec[];
  /** the command takes the rest of the line as raw text (报送): keys are not parsed there */
  restText?: { zh: string };
  /** syntax line in Chinese, without the leading `/名称` */
  syntax: string;
  /** the same in English names */
  syntaxEn: string;
  examples: readonly string[];
  /** extra lines for the detailed usage */
  notes?: readonly string[];
}

const unit = (required: boolean): KeySpec => ({
  name: 'unit',
  zh: '单位',
  aliases: ['单位', 'unit'],
  list: true,
  required,
  placeholder: '<单位编号或名称>[、…]',
});

const itemNo: PositionalSpec = { name: 'no', zh: '事项编号', kind: 'itemRef', required: true };

const reason: KeySpec = { name: 'reason', zh: '理由', aliases: ['理由', 'reason'], required: true, placeholder: '<文字>' };

/** `督查员=`: the office member who owns an item (id or name). */
const owner = (required: boolean): KeySpec => ({ name: 'owner', zh: '督查员', aliases: ['督查员', 'owner'], required, placeholder: '<督查室人员>' });

const OWNER_NOTE =
  '督查员：负责该事项的督查室人员，待受理报告、延期申请、逾期升级等只发给他/她；不写则为新建人。可用 /转交 改为他人。';

const period: KeySpec = { name: 'period', zh: '期间', aliases: ['期间', 'period'], placeholder: '<本周|本月|上月|本季|本年|YYYY-MM|YYYY>' };

const exportFlag: FlagSpec = { name: 'export', zh: '导出', aliases: ['导出', 'export'] };

const categoryList = KEY_CATEGORIES.map((c) => c.value).join('|');
const sourceList = Object.values(SOURCES)
  .map((x) => x.short)
  .join('|');

const SPECS: Readonly<Record<CommandName, Omit<CommandSpec, 'who' | 'audience'>>> = {
  new: {
    name: 'new',
    zh: '新建',
    aliases: ['新建', 'new'],
    summary: '新建督查事项，先出预览卡片，确认后发出督查单',
    positional: [{ name: 'title', zh: '标题', kind: 'title', required: true }],
    keys: [
      unit(true),
      { name: 'due', zh: '期限', aliases: ['期限', 'due'], required: true, placeholder: '<YYYY-MM-DD | N工作日 | Nd>' },
      {
        name: 'key',
        zh: '类别',
        aliases: ['类别', 'key'],
        placeholder: `<${categoryList}>`,
        normalize: normalizeKeyCategory,
        allowed: KEY_CATEGORIES.map((c) => `${c.value}（${c.meaning}）`).join('、'),
      },
      { name: 'req', zh: '要求', aliases: ['要求', 'req'], placeholder: '<文字>' },
      { name: 'lead', zh: '牵头', aliases: ['牵头', 'lead'], placeholder: '<牵头单位>' },
      { name: 'to', zh: '负责人', aliases: ['负责人', 'to'], placeholder: '<班子成员>' },
owner(false),
      {
        name: 'every',
        zh: '进度',
        aliases: ['进度', 'every'],
        placeholder: '<周|月|季|半年|N工作日>',
        normalize: parseProgressEvery,
        allowed: PROGRESS_CHOICES,
      },
      {
        name: 'source',
        zh: '来源',
        aliases: ['来源', 'source'],
        placeholder: `<${sourceList}>`,
        normalize: (v) => {
          const src = parseSource(v);
          return src && SOURCES[src].short;
        },
        allowed: Object.values(SOURCES).map((x) => `${x.short}（${x.meaning}）`).join('、'),
      },
      { name: 'by', zh: '批办', aliases: ['批办', 'by'], placeholder: '<批办领导>' },
      { name: 'ref', zh: '文号', aliases: ['文号', 'ref'], placeholder: '<文号>' },
    ],
    flags: [],
    syntax: `<标题> 单位=<单位编号或名称>[、…] 期限=<YYYY-MM-DD | N工作日 | Nd> [类别=${categoryList}] [要求=<文字>] [牵头=<单位>] [负责人=<班子成员>] [来源=${sourceList}] [批办=<领导>] [文号=<文字>] [进度=周|月|季|半年|N工作日] [督查员=<督查室人员>]`,
    syntaxEn: `<title> unit=<unit>[,…] due=<date> [key=${KEY_CATEGORIES.map((c) => c.en).join('|')}] [req=<text>] [lead=<unit>] [to=<person>] [source=${Object.keys(SOURCES).join('|')}] [by=<leader>] [ref=<text>] [every=week|month|quarter|half|Nwd] [owner=<office member>]`,
    examples: [
      '/新建 “城区主干道积水整治” 单位=市交通运输局、市住建局 期限=10工作日 类别=民生 牵头=市住建局',
      '/new 老旧小区加装电梯 unit=zjj due=2026-06-30 req="6月底前完成首批"',
      '/新建 全年重点项目推进 单位=市交通运输局 期限=2026-12-31 类别=重大 进度=月',
      '/新建 背街小巷路灯修复 单位=市住建局 期限=15工作日 来源=批示 批办=孙建华 文号=“市领导批示〔2026〕12号”',
    ],
    notes: [
      '写了类别的是重点事项，督查单直送一把手；不写类别的是一般事项，送班子成员（可用 负责人= 指定）。',
      OWNER_NOTE,
      `来源可选：${SOURCE_CHOICES}。写了 批办=（名录中的批办领导）的事项，各单位办结后送批办领导审阅：领导“阅”即办结，“再批示”则另起续办事项；领导逾期未批示的，视为办结。`,
      '进度= 要求各单位按期报送进展（周、月、季、半年按自然周期，N工作日从发出起算）：每期最后一个工作日提醒联络员，本期有经负责领导签署的报告即为已报送；未报送的计入督查日报，下次提醒同时告知负责领导。',
      '写了 牵头= 的联合事项：配合单位的报告经本单位领导签署后报牵头单位，不报督查室；牵头单位汇总报送办结报告，督查室受理后本事项及各配合单位一并办结。不写 牵头= 时，第一个单位只作牵头单位的名义，各单位各自报督查室。',
      ...KEY_CATEGORIES.map((c) => `类别 ${c.value}（${c.en}）：${c.meaning}`),
    ],
  },
  cancel: {
    name: 'cancel',
    zh: '取消',
    aliases: ['取消', 'cancel'],
    summary: '取消一份未发出的草稿（同预览卡片上的“取消”）',
    positional: [{ name: 'no', zh: '草稿编号', kind: 'itemRef', required: true }],
    keys: [],
    flags: [],
    syntax: '<草稿编号>',
    syntaxEn: '<draft>',
    examples: ['/取消 草稿7', '/cancel draft7'],
    notes: [`草稿编号见预览卡片（草稿7）。督字编号在发出时才给，所以取消草稿不会让编号断号；草稿保留 ${DRAFT_KEPT_DAYS} 天，到期未发出自动作废。`],
  },
  amend: {
    name: 'amend',
    zh: '修改',
    aliases: ['修改', 'amend'],
    summary: '更正已发出的事项（期限、要求、标题），各负责领导收到标明（更正）的新督查单',
    positional: [itemNo],
    keys: [
      { name: 'due', zh: '期限', aliases: ['期限', 'due'], placeholder: '<YYYY-MM-DD | N工作日 | Nd>' },
      { name: 'req', zh: '要求', aliases: ['要求', 'req'], placeholder: '<文字>' },
      { name: 'title', zh: '标题', aliases: ['标题', 'title'], placeholder: '<文字>' },
      reason,
    ],
    flags: [],
    syntax: '<事项编号> [期限=<日期>] [要求=<文字>] [标题=<文字>] 理由=<文字>',
    syntaxEn: '<no> [due=<date>] [req=<text>] [title=<text>] reason=<text>',
    examples: ['/修改 12 期限=2026-11-15 理由="市政府会议决定顺延"', '/amend 12 req="11月底前完成全部点位" reason=要求有误'],
    notes: [
      '期限改动后，各单位的办结时限随之改动，提醒和逾期升级按新期限进行；已获批延期且晚于新期限的单位保留其延期，已办结的单位不变。',
    ],
  },
  withdraw: {
    name: 'withdraw',
    zh: '撤回',
    aliases: ['撤回', 'withdraw'],
    summary: '撤回已发出的事项：告知各负责领导，此后不再提醒，编号保留不再使用',
    positional: [itemNo],
    keys: [reason],
    flags: [],
    syntax: '<事项编号> 理由=<文字>',
    syntaxEn: '<no> reason=<text>',
    examples: ['/撤回 12 理由="与13号重复"'],
  },
  handover: {
    name: 'handover',
    zh: '转交',
    aliases: ['转交', 'handover'],
    summary: '把事项转交另一位督查员负责（此后待受理报告、延期申请、逾期升级等发给新督查员）',
    positional: [itemNo],
    keys: [owner(true)],
    flags: [],
    syntax: '<事项编号> 督查员=<督查室人员>',
    syntaxEn: '<no> owner=<office member>',
    examples: ['/转交 12 督查员=钱芳', '/handover 2026-12 owner=qian'],
    notes: [
      '督查室人员均可转交（草稿或办理中的事项）；原督查员和新督查员都会收到通知，转交记入办理过程。',
      '已发出、尚待处理的卡片（待受理报告、待审批的延期申请）会重新发给新督查员；原卡片上的按钮仍可使用。',
    ],
  },
  list: {
    name: 'list',
    zh: '台账',
    aliases: ['台账', 'list'],
    summary: '查看督查台账，每个事项一行，含状态和期限；可按标题中的关键词查找',
    positional: [{ name: 'keyword', zh: '关键词', kind: 'title', required: false }],
    keys: [unit(false), { name: 'status', zh: '状态', aliases: ['状态', 'status'], placeholder: '<状态>' }],
    flags: [
      { name: 'overdue', zh: '逾期', aliases: ['逾期', 'overdue'] },
      { name: 'export', zh: '导出', aliases: ['导出', 'export'] },
    ],
    syntax: '[关键词] [单位=<单位>] [状态=<状态>] [逾期] [导出]',
    syntaxEn: '[keyword] [unit=<unit>] [status=<status>] [overdue] [export]',
    examples: ['/台账', '/台账 积水', '/台账 单位=市交通运输局 逾期', '/list status=signed', '/台账 导出', '/台账 逾期 导出'],
    notes: [
      '关键词按事项标题查找（不分全角半角、大小写）；写几个词，标题须都包含。',
      `状态可选：${STATUS_CHOICES}（也可写英文状态名，如 signed）。`,
      '加“导出”：按同样的条件生成 Excel 表格（每个单位一行，逾期标红、临近期限标黄，第二页按单位统计），发回到您发送命令的会话；批办领导可导出其批办的事项。',
    ],
  },
  show: {
    name: 'show',
    zh: '查看',
    aliases: ['查看', 'show'],
    summary: '查看一个事项：各单位办理状态和全过程记录',
    positional: [itemNo],
    keys: [],
    flags: [],
    syntax: '<事项编号>',
    syntaxEn: '<no>',
    examples: ['/查看 12', '/show 2026-12'],
  },
  attachment: {
    name: 'attachment',
    zh: '附件',
    aliases: ['附件', 'attachment'],
    summary: '取回事项报告的一个附件（序号见 /查看 和签署卡片上的“附件1”“附件2”）',
    positional: [itemNo, { name: 'n', zh: '附件序号', kind: 'number', required: true }],
    keys: [],
    flags: [],
    syntax: '<事项编号> <附件序号>',
    syntaxEn: '<no> <n>',
    examples: ['/附件 12 1', '/attachment 2026-12 2'],
    notes: [
      '附件按送达的先后在整个事项内编号（各单位、各稿报告连续编号）；文件发回到您发送命令的会话。',
      '联络员给报告附文件：先把照片或文件发给机器人，再在规定时间内（默认 10 分钟）发送 /报送；或在飞书中回复报送后的确认消息发送文件（报告签署前）。',
    ],
  },
  report: {
    name: 'report',
    zh: '报送',
    aliases: ['报送', 'report'],
    summary: '报送进展或办结报告，送本单位负责领导签署',
    positional: [itemNo],
    keys: [],
    flags: [{ name: 'final', zh: '办结', aliases: ['办结', 'final'] }],
    restText: { zh: '报告内容' },
    syntax: '<事项编号> [办结] <报告内容>',
    syntaxEn: '<no> [final] <text>',
    examples: ['/报送 12 已完成排查，整改方案：分三批推进。', '/报送 12 办结 全部整改到位，群众满意率98%。'],
    notes: [
      '编号后面的全部文字都是报告内容，原样报送；写“办结”表示这是办结报告。',
      '报送前规定时间内（默认 10 分钟）发给机器人的照片和文件，作为附件随报告一并送签；签署同时确认全文和全部附件。',
      '联合事项（新建时写了 牵头=）的配合单位：报告签署后报牵头单位汇总，请在期限前规定工作日数（默认 2 个）内报送；牵头单位的办结报告受理后一并办结。',
    ],
  },
  urge: {
    name: 'urge',
    zh: '催办',
    aliases: ['催办', 'urge'],
    summary: '立即发出催办通知（不写单位则催所有未办结的单位）',
    positional: [itemNo],
    keys: [unit(false)],
    flags: [],
    syntax: '<事项编号> [单位=<单位>[、…]]',
    syntaxEn: '<no> [unit=<unit>[,…]]',
    examples: ['/催办 12', '/催办 12 单位=市交通运输局'],
  },
  summon: {
    name: 'summon',
    zh: '约谈',
    aliases: ['约谈', 'summon'],
    summary: '约一把手当面汇报，一把手在聊天中确认出席',
    positional: [itemNo],
    keys: [
      unit(true),
      { name: 'at', zh: '时间', aliases: ['时间', 'at'], required: true, placeholder: '<日期 时间>' },
      { name: 'place', zh: '地点', aliases: ['地点', 'place'], required: true, placeholder: '<地点>' },
    ],
    flags: [],
    syntax: '<事项编号> 单位=<单位> 时间=<日期 时间> 地点=<地点>',
    syntaxEn: '<no> unit=<unit> at=<date time> place=<text>',
    examples: ['/约谈 12 单位=市交通运输局 时间="2026-05-20 15:00" 地点=市委3号楼302会议室'],
  },
  outcome: {
    name: 'outcome',
    zh: '约谈结果',
    aliases: ['约谈结果', 'outcome'],
    summary: '记录一把手当面汇报（约谈）的结果，并告知该一把手',
    positional: [itemNo],
    keys: [
      unit(true),
      { name: 'result', zh: '结果', aliases: ['结果', 'result'], required: true, placeholder: '<汇报情况与要求>' },
    ],
    flags: [],
    syntax: '<事项编号> 单位=<单位> 结果=<文字>',
    syntaxEn: '<no> unit=<unit> result=<text>',
    examples: ['/约谈结果 12 单位=市交通运输局 结果="已听取汇报，要求10月底前完成剩余2处整改"'],
    notes: ['记录在该单位最近一次约谈上；再次记录会更新结果，前后记录都留在办理过程中。'],
  },
  onsite: {
    name: 'onsite',
    zh: '坐地督查',
    aliases: ['坐地督查', 'onsite'],
    summary: '记录一次坐地督查，并通知该单位一把手',
    positional: [itemNo],
    keys: [
      unit(true),
      { name: 'on', zh: '日期', aliases: ['日期', 'on'], required: true, placeholder: '<YYYY-MM-DD>' },
      { name: 'note', zh: '记录', aliases: ['记录', 'note'], placeholder: '<发现的问题等>' },
    ],
    flags: [],
    syntax: '<事项编号> 单位=<单位> 日期=<YYYY-MM-DD> [记录=<文字>]',
    syntaxEn: '<no> unit=<unit> on=<date> [note=<text>]',
    examples: ['/坐地督查 12 单位=市交通运输局 日期=2026-05-22 记录=“现场查看3处积水点，2处未整改”'],
  },
  extend: {
    name: 'extend',
    zh: '延期',
    aliases: ['延期', 'extend'],
    summary: '在办结时限前申请延期：联络员的申请先经负责领导同意，再由督查室审批',
    positional: [itemNo],
    keys: [
      { name: 'to', zh: '至', aliases: ['至', 'to'], required: true, placeholder: '<YYYY-MM-DD>' },
      reason,
    ],
    flags: [],
    syntax: '<事项编号> 至=<YYYY-MM-DD> 理由=<文字>',
    syntaxEn: '<no> to=<date> reason=<text>',
    examples: ['/延期 12 至=2026-07-15 理由=“汛期施工受限，需顺延”'],
    notes: [
      '须在现行办结时限届满前申请；逾期后不能再申请延期，请用 /报送 如实报送办理情况和未能按期办结的原因。',
      '联络员的申请先发给本单位负责领导（同意申请 / 不同意，不同意须写明理由），同意后才报督查室；负责领导或一把手本人申请的直接报督查室。',
      '督查室的审批卡片写明原定办结时限和已延期次数；同意后办结时限即改为申请的日期，全部记入办理过程，/查看 可见。',
    ],
  },
  return: {
    name: 'return',
    zh: '退回',
    aliases: ['退回', 'return'],
    summary: '写明理由退回报告（企业微信中按了退回、不同意后，用它补写理由）',
    positional: [itemNo],
    keys: [unit(false), { name: 'reason', zh: '理由', aliases: ['理由', 'reason'], required: true, placeholder: '<文字>' }],
    flags: [],
    syntax: '<事项编号> [单位=<单位>] 理由=<文字>',
    syntaxEn: '<no> [unit=<unit>] reason=<text>',
    examples: ['/退回 12 理由=“数据不全，请补充各区县明细”', '/退回 12 单位=市交通运输局 理由=未附整改前后照片'],
    notes: [
      '按过卡片上的“退回修改”“退回”或“不同意”（督查室不同意延期，或负责领导不同意联络员的延期申请）而未能填写理由时（企业微信），72 小时内发送本命令即完成那一次退回。',
      '否则：负责领导退回等待其签署的报告（退回修改），或不同意等待其同意的延期申请；督查室退回已签署、待受理的报告；事项有多个单位可退回时，用 单位= 指明。',
      `理由最多 ${REASON_MAX} 字，会告知报告人，并记入办理过程。`,
    ],
  },
  verify: {
    name: 'verify',
    zh: '核验',
    aliases: ['核验', 'verify'],
    summary: '核验一个事项的全过程记录和签署是否被事后改动',
    positional: [itemNo],
    keys: [],
    flags: [],
    syntax: '<事项编号>',
    syntaxEn: '<no>',
    examples: ['/核验 12', '/verify 2026-12'],
    notes: [
      '逐条核对办理记录的哈希链、总审计日志中的副本，以及每稿报告和签署的哈希。',
      '能发现事后对记录的改动、删除、插入和调换；不能发现掌握数据库全部权限、并重算了整条链的人所做的改写。回复中的链尾校验码可记入纸质台账，日后比对。',
    ],
  },
  archive: {
    name: 'archive',
    zh: '归档',
    aliases: ['归档', 'archive'],
    summary: '生成一个事项的归档记录（PDF）：督查单、各单位报告与签署、受理、延期、催办、约谈、坐地督查、办理记录和核验结果',
    positional: [itemNo],
    keys: [],
    flags: [],
    syntax: '<事项编号>',
    syntaxEn: '<no>',
    examples: ['/归档 12', '/archive 2026-12'],
    notes: ['文件在后台生成，生成后发回到您发送命令的会话。承办单位的人员得到的记录只含本单位的部分。'],
  },
  instruct: {
    name: 'instruct',
    zh: '批示',
    aliases: ['批示', 'instruct'],
    summary: '批办领导对已办结的事项作出新的批示：记录在案，督查室据此拟出续办事项',
    positional: [itemNo],
    keys: [],
    flags: [],
    restText: { zh: '批示内容' },
    syntax: '<事项编号> <批示内容>',
    syntaxEn: '<no> <text>',
    examples: ['/批示 12 请继续跟踪雨季排水情况，月底前再报一次。'],
    notes: [
      '编号后面的全部文字都是批示内容。同【办结报告】卡片上的“再批示”；不重新打开原事项。',
      `批示最多 ${REASON_MAX} 字。`,
    ],
  },
  stats: {
    name: 'stats',
    zh: '统计',
    aliases: ['统计', 'stats'],
    summary: '统计一个期间到期事项的办理情况（按单位、按负责领导），附按期办结率图表；可导出表格',
    positional: [],
    keys: [period, unit(false)],
    flags: [exportFlag],
    syntax: '[期间=本周|本月|上月|本季|本年|YYYY-MM|YYYY] [单位=<单位>[、…]] [导出]',
    syntaxEn: '[period=<period>] [unit=<unit>[,…]] [export]',
    examples: ['/统计', '/统计 期间=上月', '/统计 期间=2026-09 单位=市交通运输局', '/stats period=2026 export'],
    notes: [
      `期间可选：${PERIOD_CHOICES}；不写为本月。统计期限（含获批延期后的期限）在该期间内的事项，每个承办单位计一项次。`,
      '按期办结率 =（按期 + 延期后按期）÷（已办结 + 逾期未办结），尚在期限内办理的不计入。签收、签署用时为工作时间（工作日的上班时间）的中位数。',
      '写“导出”同时发回 Excel 表格。承办单位的人员只能统计本单位。',
    ],
  },
  bulletin: {
    name: 'bulletin',
    zh: '通报',
    aliases: ['通报', 'bulletin'],
    summary: '生成一个期间的督查通报草稿（表扬、通报批评、约谈和坐地督查、下一阶段到期事项），可导出 PDF',
    positional: [],
    keys: [period],
    flags: [exportFlag],
    syntax: '[期间=本周|本月|上月|本季|本年|YYYY-MM|YYYY] [导出]',
    syntaxEn: '[period=<period>] [export]',
    examples: ['/通报 期间=上月', '/通报 期间=2026-09 导出', '/bulletin period=quarter'],
    notes: [
      `期间可选：${PERIOD_CHOICES}；不写为本月。数字与 /统计 相同。`,
      '通报是草稿：复制后修改、审核再发出。写“导出”同时发回 PDF 文件。',
    ],
  },
  help: {
    name: 'help',
    zh: '帮助',
    aliases: ['帮助', 'help', '?', '？'],
    summary: '查看全部命令的用法，或某一个命令的详细用法',
    positional: [{ name: 'command', zh: '命令名', kind: 'command', required: false }],
    keys: [],
    flags: [],
    syntax: '[命令名]',
    syntaxEn: '[command]',
    examples: ['/帮助', '/帮助 报送'],
  },
};

/** The help group of a command: the office's alone, the units' alone, or everyone's (the office and the units). */
function audienceOf(command: CommandName): Audience {
  const access = ACCESS[command];
  if (access === 'everyone') return 'anyone';
  if (access.every((p) => p === 'leader')) return 'leader';
  if (!access.includes('office')) return 'unit';
  return access.every((p) => p === 'office') ? 'office' : 'anyone';
}

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, { ...SPECS[name], who: whoLine(ACCESS[name]), audience: audienceOf(name) }]),
) as Record<CommandName, CommandSpec>;

/** A command word (without slash; Chinese or English, any case, full-width letters allowed) → its name. */
export function findCommand(word: string): CommandName | undefined {
  const w = word.normalize('NFKC').trim().toLowerCase();
  if (w === '') return undefined;
  for (const name of COMMAND_NAMES) {
    if (COMMANDS[name].aliases.some((a) => a.normalize('NFKC').toLowerCase() === w)) return name;
  }
  return undefined;
}

/** How a key is written in messages: `单位/unit`. */
export function keyLabel(k: KeySpec | FlagSpec): string {
  return `${k.zh}/${k.name}`;
}

/** How a command is written in messages: `/报送`. */
export function commandLabel(name: CommandName): string {
  return `/${COMMANDS[name].zh}`;
}

/** Detailed Chinese usage of one command: what it does, who may use it, syntax (Chinese and English names), examples. */
export function usageOf(command: CommandName): string {
  const c = COMMANDS[command];
  const lines = [
    `${commandLabel(command)}（/${c.name}）：${c.summary}`,
    `使用者：${c.who}`,
    `用法：${commandLabel(command)} ${c.syntax}`,
    `英文：/${c.name} ${c.syntaxEn}`,
    ...c.examples.map((e) => `例：${e}`),
    ...(c.notes ?? []),
    ...(responsibleNamed(command) ? [RESPONSIBLE_NOTE] : []),
  ];
  return lines.join('\n');
}

/**
 * The one usage line a mistake is answered with: how the command is written, and where its whole usage is (the
 * mistake itself is named on the line before).
 */
export function usageLine(command: CommandName): string {
  const c = COMMANDS[command];
  const more = command === 'help' ? '' : `（详见 /帮助 ${c.zh}）`;
  return `用法：${commandLabel(command)} ${c.syntax}${more}`;
}

function responsibleNamed(command: CommandName): boolean {
  const access = ACCESS[command];
  return access !== 'everyone' && access.includes('responsible');
}

const AUDIENCE_TITLES: ReadonlyArray<[Audience, string]> = [
  ['office', '【督查室】'],
  ['unit', '【承办单位】'],
  ['leader', '【批办领导】'],
  ['anyone', '【通用】'],
];

/** Chinese help for all commands, grouped by who uses them, two lines each. */
export function helpText(): string {
  const lines = ['督查机器人命令：以 / 开头，参数写成 名称=值（= 也可写成 ：），多个单位用 、或 ， 隔开，值里有空格请加引号。'];
  for (const [audience, title] of AUDIENCE_TITLES) {
    lines.push(title);
    for (const name of COMMAND_NAMES) {
      const c = COMMANDS[name];
      if (c.audience !== audience) continue;
      // Each command of the units and of everyone says who: not every role of a unit may use each.
      const who = audience === 'office' ? '' : `（${c.who}）`;
      lines.push(`${commandLabel(name)}  /${name}  ${c.summary}${who}`);
      lines.push(`    ${commandLabel(name)} ${c.syntax}`);
    }
  }
  lines.push('发送“/帮助 命令名”查看某个命令的详细用法和例子，如：/帮助 新建');
  return lines.join('\n');
}
