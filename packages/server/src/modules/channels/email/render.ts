import type { Reply } from '@lingxi/contracts';
import { escapeHtml, sanitizeHtml } from '../../../platform/html.ts';
import { renderReplyText } from '../core/render.ts';

export type RenderedEmail = { text: string; html: string };
type Lang = 'zh' | 'en';

const FOOTER = {
  zh: '本邮件由智能客服自动回复。如需人工服务，请直接回复本邮件并写明“转人工”。',
  en: 'This is an automatic reply from our virtual assistant. For a human agent, reply to this e-mail with the word "agent".',
};

/**
 * Replies as an e-mail body: a plain-text part (the shared channel text rendering: options as a numbered menu,
 * since e-mail has no buttons) and an HTML part built from that same text, passed through the allow-list sanitizer.
 * Robot mail ends with a signature block saying how to reach a person (RFC 3676 "-- " separator).
 */
export function renderEmailReply(replies: readonly Reply[], lang: Lang, opts: { footer?: boolean } = {}): RenderedEmail {
  const blocks = replies.map((r) => renderReplyText(r, { lang })).filter(Boolean);
  const html = blocks.map(paragraphs);
  const text = [...blocks];
  if (opts.footer !== false) {
    text.push(`-- \n${FOOTER[lang]}`);
    html.push(`<p><em>${escapeHtml(FOOTER[lang])}</em></p>`);
  }
  return { text: text.join('\n\n') + '\n', html: sanitizeHtml(html.join('')) };
}

function paragraphs(s: string): string {
  return s
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>')}</p>`)
    .join('');
}
