/**
 * SMS length rules (3GPP TS 23.038 alphabets, TS 23.040 concatenation):
 * - A single SMS carries 140 octets. In the GSM 7-bit default alphabet that is 160 characters; in UCS-2 (any
 *   Chinese text) 70 UTF-16 code units.
 * - A concatenated (long) SMS spends 6 octets per part on the User Data Header (IEI 0x00, 8-bit reference), leaving
 *   153 GSM-7 characters or 67 UCS-2 code units per part. The handset joins the parts back into one message.
 * - Characters of the GSM-7 extension table ({ } [ ] ~ | \ ^ €, form feed) cost two septets (ESC + char) and an
 *   escape pair is never split across parts. A character outside both tables forces the whole message to UCS-2.
 * - In UCS-2 a character outside the BMP (emoji) is a surrogate pair: two code units, never split across parts.
 * Chinese carriers also count the 【签名】 signature the gateway prepends; callers pass the text as it will be sent.
 */

// GSM 03.38 default alphabet (basic table), in code order. Index is irrelevant here; membership is what counts.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';
const BASIC = new Set([...GSM7_BASIC]);
const EXT = new Set([...GSM7_EXTENSION]);

export type SmsEncoding = 'gsm7' | 'ucs2';
export const SMS_LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const;

export function smsEncodingOf(text: string): SmsEncoding {
  for (const ch of text) if (!BASIC.has(ch) && !EXT.has(ch)) return 'ucs2';
  return 'gsm7';
}

/** Units one character costs in the given encoding (septets for GSM-7, UTF-16 code units for UCS-2). */
function cost(ch: string, enc: SmsEncoding): number {
  if (enc === 'ucs2') return ch.length; // 2 for a surrogate pair
  return EXT.has(ch) ? 2 : 1;
}

export type SmsSegmentation = { encoding: SmsEncoding; units: number; parts: string[] };

/** How the network will carry this text: encoding, total units, and the parts as the handset receives them. */
export function segmentSms(text: string): SmsSegmentation {
  const encoding = smsEncodingOf(text);
  const chars = [...text]; // code points: a surrogate pair stays together
  const units = chars.reduce((n, ch) => n + cost(ch, encoding), 0);
  const lim = SMS_LIMITS[encoding];
  if (units <= lim.single) return { encoding, units, parts: text ? [text] : [] };
  const parts: string[] = [];
  let cur = '';
  let used = 0;
  for (const ch of chars) {
    const c = cost(ch, encoding);
    if (used + c > lim.part) {
      parts.push(cur);
      cur = '';
      used = 0;
    }
    cur += ch;
    used += c;
  }
  if (cur) parts.push(cur);
  return { encoding, units, parts };
}

/**
 * Splits a long reply into separate messages of at most `maxParts` concatenated parts each, preferring to cut after
 * a line break or sentence end so that a numbered menu line is not torn in two. Each piece is marked (i/n) when there
 * is more than one, because separately sent SMS may arrive out of order.
 */
export function splitLongSms(text: string, maxParts = 5): string[] {
  if (segmentSms(text).parts.length <= maxParts) return [text];
  const enc = smsEncodingOf(text);
  // Leave room for the " (i/n)" marker (at most 8 units for n < 100).
  const budget = SMS_LIMITS[enc].part * maxParts - 8;
  const chars = [...text];
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let used = 0;
    let end = start;
    while (end < chars.length && used + cost(chars[end], enc) <= budget) used += cost(chars[end++], enc);
    if (end < chars.length) {
      // Walk back to a natural break within the last fifth of the piece.
      const floor = start + Math.floor((end - start) * 0.8);
      for (let i = end; i > floor; i--) {
        if (/[\n。！？!?；;]/.test(chars[i - 1])) { end = i; break; }
      }
    }
    pieces.push(chars.slice(start, end).join('').trim());
    start = end;
  }
  const nonEmpty = pieces.filter(Boolean);
  return nonEmpty.length === 1 ? nonEmpty : nonEmpty.map((p, i) => `${p} (${i + 1}/${nonEmpty.length})`);
}
