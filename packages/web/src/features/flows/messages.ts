/** This feature's UI strings: Chinese (the reference) and English; merged into shared/messages.ts. */
export const zh = {} as const;

export const en: Record<keyof typeof zh, string> = {};
