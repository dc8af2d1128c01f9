// The "no"s that must say why (退回修改, 退回, 不同意 an extension, the office's or the unit leader's): what the reason is called, and how long it may be.
// Cards ask for it with these words, the handlers refuse a "no" without it, and docs/domain.md says the same.

export type ReasonedAction = 'send_back' | 'return' | 'refuse_extension' | 'disagree_extension';

export interface ReasonRule {
  /** What the person is doing, as a refusal names it. */
  doing: string;
  /** The text box's label. */
  label: string;
  placeholder: string;
}

export const REASONS: Readonly<Record<ReasonedAction, ReasonRule>> = {
  send_back: { doing: '退回修改', label: '退回理由', placeholder: '写明要联络员修改什么，例如：数据不全，请补充各区县明细' },
  return: { doing: '退回', label: '退回理由', placeholder: '写明退回的原因和修改要求' },
  refuse_extension: { doing: '不同意延期', label: '不同意的理由', placeholder: '写明不同意的原因，例如：理由不充分，须按原期限办结' },
  // The unit's responsible leader on a contact's request, before it reaches the office.
  disagree_extension: { doing: '不同意延期申请', label: '不同意的理由', placeholder: '写明不同意的原因，例如：能够按期完成，不必延期' },
};

/** Characters a reason may have: enough for a paragraph, and within what every platform's text box takes. */
export const REASON_MAX = 500;
