import { bareAddress, header, type HeaderMap } from './headers.ts';

/** Why a message must not get an automatic reply; null when an auto-reply is allowed. */
export type NoReplyReason =
  | 'no_sender'
  | 'own_address'
  | 'auto_submitted'
  | 'auto_reply_header'
  | 'precedence'
  | 'mailing_list'
  | 'bounce'
  | 'delivery_report'
  | 'system_sender'
  | 'suppressed';

// Local parts of addresses that never read replies: bounce handlers and do-not-reply robots.
const SYSTEM_LOCAL_PART = /^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|auto[-_.]?reply|daemon|listserv|majordomo|owner-.+|.+-owner|.+-request|.+-bounces?)(\+.*)?$/i;

/**
 * Decides whether we may auto-reply to a message (robot answer or acknowledgement), following RFC 3834 section 2
 * ("automatic responses should not be sent to automatically generated messages, mailing lists, or bounces") and
 * the de-facto headers of Exchange and common vacation responders. Replying to any of these can start a mail loop
 * with another robot or spam a list.
 */
export function noAutoReplyReason(h: HeaderMap, ourAddresses: readonly string[]): NoReplyReason | null {
  const from = bareAddress(header(h, 'from'));
  if (!from) return 'no_sender';
  const ours = ourAddresses.map((a) => a.toLowerCase());
  if (ours.includes(from)) return 'own_address';
  // A reply that would go to our own mailbox (Reply-To or Sender set to it) loops just the same.
  const replyTo = bareAddress(header(h, 'reply-to'));
  if (replyTo && ours.includes(replyTo)) return 'own_address';

  // RFC 3834 5.1: any value other than "no" marks an automatic message (auto-replied, auto-generated, auto-notified).
  const autoSubmitted = header(h, 'auto-submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted.trim())) return 'auto_submitted';
  // Vacation responders that predate RFC 3834.
  for (const k of ['x-autoreply', 'x-autorespond', 'x-auto-reply', 'x-autoresponder']) if (h.has(k)) return 'auto_reply_header';
  // Microsoft's way of asking not to be auto-answered ([MS-OXCMAIL] 2.2.3.2.14).
  const suppress = header(h, 'x-auto-response-suppress');
  if (suppress && /\b(all|autoreply|oof)\b/i.test(suppress)) return 'suppressed';

  const precedence = header(h, 'precedence');
  if (precedence && /^(bulk|junk|list)\b/i.test(precedence.trim())) return 'precedence';
  // RFC 2919 (List-Id) and RFC 2369 (List-*) mark mailing-list traffic.
  if (h.has('list-id') || h.has('list-unsubscribe') || h.has('list-post')) return 'mailing_list';

  // Bounces have an empty envelope sender (RFC 5321 4.5.5), which final delivery records as Return-Path: <>.
  const returnPath = header(h, 'return-path');
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath.trim())) return 'bounce';
  const contentType = header(h, 'content-type');
  if (contentType && /^multipart\/report\b/i.test(contentType.trim())) return 'delivery_report';

  const local = from.split('@')[0];
  if (SYSTEM_LOCAL_PART.test(local)) return 'system_sender';
  return null;
}
