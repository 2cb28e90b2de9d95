import { normalize } from './normalize.ts';

const ORDINALS: Record<string, number> = {
  一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
  '①': 1, '②': 2, '③': 3, '④': 4, '⑤': 5, '⑥': 6, '⑦': 7, '⑧': 8, '⑨': 9,
};

/**
 * A customer choosing a numbered option the way people type it: "2", "２", "2.", "第2个", "第二个", "选2",
 * "option 2", "②" → 2; anything else → null. Shared by the FAQ robot's clarifying questions and the flows' choices.
 */
export function parseChoice(text: string): number | null {
  const m = /^(?:第|选|选择|option|no\.?|#)?([1-9]|[一二两三四五六七八九]|[①-⑨])(?:个|项|条|\.|、|\))?$/i.exec(normalize(text).replace(/\s+/g, ''));
  if (!m) return null;
  return /[0-9]/.test(m[1]) ? Number(m[1]) : ORDINALS[m[1]] ?? null;
}
