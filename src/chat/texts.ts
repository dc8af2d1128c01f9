// Chinese words for what users read outside cards: action names in timelines, state filters, common replies.
import { dateInTz, formatDate, formatDateTime } from '../domain/dates.ts';
import type { Amendment, AssignmentState, ItemHeader, ItemStatus } from '../domain/types.ts';

export const ACTION_LABELS: Record<string, string> = {
  create: '新建（预览）',
  issue: '发出督查单',
  assign: '交办',
  cancel: '取消草稿',
  expire: '草稿过期作废',
  amend: '更正督查事项',
  withdraw: '撤回督查事项',
  receive: '签收',
  submit: '报送报告',
  attach: '补充附件',
  sign: '签署报告',
  send_back: '退回联络员修改',
  accept: '受理报告',
  return: '退回报告',
  urge: '催办',
  summon: '约谈（听取汇报）',
  confirm_summons: '确认出席',
  record_summons: '记录约谈结果',
  onsite: '坐地督查',
  propose_summons: '再次约谈（原约谈尚未举行，待确认是否替换）',
  keep_summons: '保留原约谈（未发新的约谈）',
  propose_onsite: '再次记录当日坐地督查（待确认是否替换）',
  keep_onsite: '保留当日原坐地督查记录',
  request_extension: '申请延期',
  agree_extension: '同意延期申请（报督查室审批）',
  disagree_extension: '不同意延期申请',
  approve_extension: '同意延期',
  refuse_extension: '不同意延期',
  change_deadline: '办结时限变更',
  complete_item: '事项办结',
  await_review: '各单位均已办结，送批办领导审阅',
  review_read: '批办领导阅示，事项办结',
  instruct: '批办领导再批示',
  review_silence: '批办领导审阅期内未有新的批示，视为办结',
  complete_with_lead: '随牵头单位办结',
  chase: '签收提醒',
  escalate: '逾期升级',
  reassign: '负责领导按通讯录变更',
  handover: '转交督查员',
  seal: '封存现有记录（系统升级）',
};

/** An item's status as a person reads it. */
export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = {
  draft: '草稿（未发出）',
  open: '办理中',
  review: '各单位已办结，待批办领导审阅',
  completed: '已办结',
  cancelled: '已取消',
  withdrawn: '已撤回',
};

/** An item's status with what a person needs to know of it: when a draft lapses, why an item was withdrawn. */
export function itemStatusText(
  item: Pick<ItemHeader, 'status' | 'expiresAt' | 'expired' | 'withdrawnAt' | 'withdrawReason'>,
  tz: string,
): string {
  switch (item.status) {
    case 'draft':
      return item.expiresAt === undefined ? '草稿（未发出）' : `草稿（${formatDateTime(item.expiresAt, tz)} 前未发出即作废）`;
    case 'cancelled':
      return item.expired ? '已过期作废（7 天内未发出）' : '已取消（未发出）';
    case 'withdrawn':
      return `已撤回（${item.withdrawnAt === undefined ? '' : `${formatDate(dateInTz(item.withdrawnAt, tz))}，`}理由：${item.withdrawReason ?? ''}）`;
    default:
      return ITEM_STATUS_LABELS[item.status];
  }
}

/** A correction as people read it: 办结时限由 2026年10月30日 改为 2026年11月15日；理由：…. */
export function amendmentText(m: Amendment): string {
  const parts: string[] = [];
  if (m.due) parts.push(`办结时限由 ${formatDate(m.due.from)} 改为 ${formatDate(m.due.to)}`);
  if (m.title) parts.push(`标题由「${m.title.from}」改为「${m.title.to}」`);
  if (m.req) parts.push(m.req.to ? `督查要求改为「${m.req.to}」` : '督查要求删去');
  return `${parts.join('；')}；理由：${m.reason}`;
}

export type StatusFilter = AssignmentState | 'draft' | 'cancelled' | 'withdrawn';

/** What `状态=` accepts besides the English state names: for each, its words, the first the one help and refusals name. */
const STATUS_WORDS: Record<StatusFilter, readonly string[]> = {
  issued: ['待签收', '已下发'],
  received: ['办理中', '已签收'],
  awaiting_signature: ['待签署'],
  signed: ['待受理', '已签署'],
  returned: ['已退回', '退回'],
  completed: ['已办结', '办结'],
  draft: ['草稿'],
  cancelled: ['已取消', '已过期'],
  withdrawn: ['已撤回', '撤回'],
};

/** The `状态=` values as help and refusals name them: 待签收、办理中、…、已取消. */
export const STATUS_CHOICES = Object.values(STATUS_WORDS)
  .map((words) => words[0])
  .join('、');

/** `待签收`, `已下发`, `issued`, `ISSUED` → `issued`; anything else → undefined. */
export function parseStatusFilter(s: string): StatusFilter | undefined {
  const t = s.trim();
  for (const [status, words] of Object.entries(STATUS_WORDS) as [StatusFilter, readonly string[]][]) {
    if (status === t.toLowerCase() || words.includes(t)) return status;
  }
  return undefined;
}

export const NOT_IN_DIRECTORY = '您好，您还不在督查系统的通讯录中，暂时无法使用。如需开通，请联系督查室或系统管理员。';

/** Redis is away for a moment: what is tried again later works (never 请联系系统管理员, which is for real faults). */
export const BUSY = '系统繁忙，请稍后再试';

export const INTERNAL_ERROR = '抱歉，系统处理时出错，请稍后再试；如仍不行，请联系系统管理员。';
