/**
 * The new text of a reply, without the quoted history that mail clients append, so that the robot reads only what
 * the customer just wrote (and does not answer the previous question again).
 */

// Attribution lines that introduce a quote. Gmail/Apple ("On Mon, 1 Jan 2024, Ann <a@b> wrote:"), Chinese clients
// (QQ Mail, Foxmail, NetEase: "在 2024年1月1日，张三 <a@b> 写道："), German/French Outlook variants.
const ATTRIBUTION = [
  /^On\b.{0,300}\bwrote:\s*$/i,
  /^在.{0,300}写道\s*[:：]\s*$/,
  /^.{0,300}于.{0,100}写道\s*[:：]\s*$/,
  /^Am\b.{0,300}\bschrieb.{0,100}:\s*$/i,
  /^Le\b.{0,300}\ba écrit\s*:\s*$/i,
];
// Separators that start a forwarded or Outlook-style quoted original; everything after is history.
const SEPARATOR = [
  /^-{2,}\s*(Original Message|Forwarded message|Reply message)\s*-{2,}\s*$/i,
  /^-{2,}\s*(原始邮件|原始郵件|转发邮件|回复的原邮件)\s*-{2,}\s*$/,
  /^_{10,}\s*$/, // Outlook's horizontal rule before "From: …"
];
// Outlook and Foxmail quote headers without an attribution line: "From: …" / "发件人: …" on a line of its own,
// followed within a few lines by "Sent:"/"发送时间:" or "To:"/"收件人:".
const HEADER_FROM = /^\s*(From|发件人|寄件者)\s*[:：]\s*\S/i;
const HEADER_NEXT = /^\s*(Sent|Date|To|Subject|发送时间|日期|收件人|主题|時間)\s*[:：]/i;

export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    // RFC 3676 4.3: a "-- " line starts the signature.
    if (line === '-- ' || line === '--') break;
    if (SEPARATOR.some((r) => r.test(t))) break;
    if (ATTRIBUTION.some((r) => r.test(t))) break;
    // Gmail wraps a long attribution onto two lines: "On Mon, 1 Jan 2024 at 10:00, Ann" / "<a@b> wrote:".
    if (/^(On\b|在)/i.test(t) && i + 1 < lines.length && ATTRIBUTION.some((r) => r.test(`${t} ${lines[i + 1].trim()}`))) break;
    if (HEADER_FROM.test(t) && lines.slice(i + 1, i + 4).some((l) => HEADER_NEXT.test(l))) break;
    if (/^\s*>/.test(line)) continue;
    out.push(line);
  }
  return out.join('\n').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
}
