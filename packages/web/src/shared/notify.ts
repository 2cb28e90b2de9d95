/**
 * New-chat alerts without any asset: a short two-tone beep synthesised with WebAudio, and the count in the
 * document title ("(2) 新消息 · …") while the tab is in the background or something is unread.
 */
let ctx: AudioContext | null = null;

/** Browsers allow audio only after a user gesture: call this from the first click/keydown. */
export function unlockAudio(): void {
  try {
    const AC = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AC) return;
    ctx ??= new AC();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null;
  }
}

export function beep(): void {
  try {
    unlockAudio();
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = t0 + i * 0.14;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.12);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.13);
    }
  } catch {
    // no audio: the title still tells
  }
}

let baseTitle = '';
/** Sets the title with an unread prefix; `label` like "新消息". */
export function setTitleCount(n: number, label: string, base?: string): void {
  if (base) baseTitle = base;
  if (!baseTitle) baseTitle = document.title;
  document.title = n > 0 ? `(${n}) ${label} · ${baseTitle}` : baseTitle;
}
