export { normalize, detectLang, foldPreservingOffsets, type Lang } from './normalize.ts';
export { normalizeNumerals, findNumerals, parseNumeral, type NumeralSpan } from './numerals.ts';
export { pinyinOf } from './pinyin.ts';
export { createAnalyzer, stemEnglish, type Analysis, type AnalyzerOptions, type Analyzer } from './analyzer.ts';
export { FINANCE_TERMS } from './finance-dict.ts';
export { segment, type Token } from './segmenter.ts';
export { parseChoice } from './choice.ts';
