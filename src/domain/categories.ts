// The six kinds of key item (要有重点): only these go to the unit's head; anything else is ordinary.
import type { Category } from './types.ts';

export const CATEGORIES: Record<Category, { short: string; meaning: string; also: string[] }> = {
  major: { short: '重大', meaning: '影响全局的重大问题', also: [] },
  typical: { short: '典型', meaning: '有典型意义', also: [] },
  urgent: { short: '紧急', meaning: '重要而紧迫', also: ['急'] },
  public: { short: '民生', meaning: '群众迫切需要解决', also: [] },
  assigned: { short: '交办', meaning: '上级领导指定', also: [] },
  hard: { short: '疑难', meaning: '非一把手亲自出马不能解决', also: [] },
};

/** The categories as help and refusals name them: 重大、典型、紧急、民生、交办、疑难. */
export const CATEGORY_CHOICES = Object.values(CATEGORIES)
  .map((c) => c.short)
  .join('、');

/** `重大`, `major`, `MAJOR`, the full meaning `影响全局的重大问题` (or `急` for 紧急) → `major`; anything else → undefined. */
export function parseCategory(s: string): Category | undefined {
  const t = s.normalize('NFKC').trim().toLowerCase();
  for (const [cat, c] of Object.entries(CATEGORIES) as [Category, (typeof CATEGORIES)[Category]][]) {
    if (t === cat || t === c.short || t === c.meaning || c.also.includes(t)) return cat;
  }
  return undefined;
}

export function categoryLabel(c: Category | undefined): string {
  return c ? `重点事项·${CATEGORIES[c].short}（${CATEGORIES[c].meaning}）` : '一般事项';
}
