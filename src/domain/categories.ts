// The six kinds of key item (要有重点): only these go to the unit's head; anything else is ordinary.
import type { Category } from './types.ts';

export const CATEGORIES: Record<Category, { short: string; meaning: string; aliases: string[] }> = {
  major: { short: '重大', meaning: '影响全局的重大问题', aliases: ['重大', 'major'] },
  typical: { short: '典型', meaning: '有典型意义', aliases: ['典型', 'typical'] },
  urgent: { short: '紧急', meaning: '重要而紧迫', aliases: ['紧急', '急', 'urgent'] },
  public: { short: '民生', meaning: '群众迫切需要解决', aliases: ['民生', 'public'] },
  assigned: { short: '交办', meaning: '上级领导指定', aliases: ['交办', 'assigned'] },
  hard: { short: '疑难', meaning: '非一把手亲自出马不能解决', aliases: ['疑难', 'hard'] },
};

export function parseCategory(s: string): Category | undefined {
  const t = s.trim().toLowerCase();
  for (const [cat, c] of Object.entries(CATEGORIES)) if (c.aliases.includes(t)) return cat as Category;
  return undefined;
}

export function categoryLabel(c: Category | undefined): string {
  return c ? `重点事项·${CATEGORIES[c].short}（${CATEGORIES[c].meaning}）` : '一般事项';
}
