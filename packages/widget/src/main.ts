/**
 * Entry of the embeddable bundle (built by scripts/build-widget.mjs into one IIFE file, served as /widget.js):
 *
 *   <script src="https://cs.example-bank.com/widget.js" data-bot="demo" data-lang="zh-CN" async></script>
 *
 * Options (data-* on that script tag): bot (slug or id, default "demo"), lang ("zh-CN" | "en"), mode
 * ("floating" launcher, default | "inline"), target (CSS selector of the container for inline mode),
 * server (origin of the Lingxi server when the bundle is hosted elsewhere, e.g. a CDN; default: the script's own
 * origin). The page can drive it through window.Lingxi.open() / close() / send(text).
 */
import { pickLang } from './i18n.ts';
import { ChatWidget } from './widget.ts';

type LingxiApi = {
  open(): void;
  close(): void;
  send(text: string): void;
  /** Test hook for the browser tests: drop the WebSocket as a network failure would. */
  __debugDropSocket(): void;
  readonly version: string;
};

declare global {
  interface Window {
    Lingxi?: LingxiApi;
  }
}

declare const __LINGXI_VERSION__: string;

boot();

function boot(): void {
  if (window.Lingxi) return; // the snippet was pasted twice: one widget is enough
  // currentScript is only set while this file runs synchronously, so read it before anything asynchronous.
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[data-bot][src*="widget"]');
  const data = script?.dataset ?? {};
  const base = script?.src || location.href;
  let origin: string;
  try {
    origin = new URL(data.server || base, location.href).origin;
  } catch {
    origin = location.origin;
  }

  let widget: ChatWidget | null = null;
  const queue: ((w: ChatWidget) => void)[] = [];
  const run = (fn: (w: ChatWidget) => void) => (widget ? fn(widget) : queue.push(fn));
  window.Lingxi = {
    open: () => run((w) => w.open()),
    close: () => run((w) => w.close()),
    send: (text: string) =>
      run((w) => {
        w.open();
        w.send(String(text));
      }),
    __debugDropSocket: () => run((w) => w.dropSocket()),
    version: typeof __LINGXI_VERSION__ === 'string' ? __LINGXI_VERSION__ : 'dev',
  };

  const mount = () => {
    let mode: 'floating' | 'inline' = data.mode === 'inline' ? 'inline' : 'floating';
    let target: Element | null = null;
    if (mode === 'inline') {
      try {
        target = data.target ? document.querySelector(data.target) : null;
      } catch {
        target = null; // an invalid selector
      }
      if (!target) {
        console.warn('[lingxi] data-mode="inline" needs data-target pointing at an element; using the launcher');
        mode = 'floating';
      }
    }
    const host = document.createElement('div');
    host.id = 'lingxi-widget';
    if (mode === 'inline') host.style.cssText = 'display:block;width:100%;height:100%';
    (target ?? document.body).appendChild(host);
    widget = new ChatWidget(
      { origin, bot: (data.bot || 'demo').trim(), lang: pickLang(data.lang), mode, target },
      host,
    );
    for (const fn of queue.splice(0)) fn(widget);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
  else mount();
}
