import type { ConversationServiceStatus, Reply, ReplyOption } from '../../contracts/src/chat.ts';
import { ChatConnection, type BotInfo, type ConnectionStatus, type SocketLike } from './connection.ts';
import { h, newId } from './dom.ts';
import { format, strings, type Lang, type Strings } from './i18n.ts';
import { sanitizeHtml } from './sanitize.ts';
import { createSessionStore, sessionKey } from './session-store.ts';
import { CSS } from './styles.ts';

/** Same limit as MAX_MESSAGE_CHARS in the contract (a unit test keeps them equal; importing it would bundle zod). */
export const MAX_CHARS = 2000;

export type WidgetOptions = {
  origin: string;
  bot: string;
  lang: Lang;
  mode: 'floating' | 'inline';
  /** Container for inline mode. */
  target?: Element | null;
};

const SVG_NS = 'http://www.w3.org/2000/svg';

export class ChatWidget {
  private readonly s: Strings;
  private readonly doc: Document;
  private readonly conn: ChatConnection;
  private readonly root: HTMLDivElement;
  private readonly panel: HTMLElement;
  private readonly launcher: HTMLButtonElement | null = null;
  private readonly title: HTMLHeadingElement;
  /** Under the title: who serves now ("客服小王已接入"), from the `status` frame. */
  private readonly sub: HTMLDivElement;
  private readonly status: HTMLDivElement;
  /** Live queue line with the leave-a-message form, while waiting for a person. */
  private readonly queue: HTMLDivElement;
  private readonly queueText: HTMLSpanElement;
  private readonly leaveBtn: HTMLButtonElement;
  private readonly leaveForm: HTMLFormElement;
  private readonly scroller: HTMLDivElement;
  private readonly log: HTMLDivElement;
  private readonly typing: HTMLDivElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendBtn: HTMLButtonElement;
  /** Bubbles of the customer's messages by clientMsgId, to mark them delivered when the server echoes them. */
  private readonly mine = new Map<string, HTMLElement>();
  /** Options of the latest bot reply, to show "2" that the customer typed or clicked as the option it stands for. */
  private lastOptions = new Map<string, string>();
  private greeted = false;
  private isOpen = false;
  private serverTyping = false;
  private waiting = false;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: WidgetOptions, host: HTMLElement) {
    this.s = strings(opts.lang);
    const doc = (this.doc = host.ownerDocument);
    const s = this.s;
    const win = doc.defaultView ?? window;
    const shadow = host.attachShadow({ mode: 'open' });
    const floating = opts.mode === 'floating';

    this.title = h(doc, 'h2', { id: 'lx-title' }, s.title);
    this.sub = h(doc, 'div', { class: 'sub', role: 'status', hidden: '' });
    const closeBtn = h(doc, 'button', { type: 'button', class: 'close', 'aria-label': s.closeChat }, '×');
    this.status = h(doc, 'div', { class: 'status', role: 'status', hidden: '' });
    this.log = h(doc, 'div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': s.messages });
    this.typing = h(doc, 'div', { class: 'typing', hidden: '' }, h(doc, 'i'), h(doc, 'i'), h(doc, 'i'), h(doc, 'span', { class: 'sr' }, s.typing));
    this.scroller = h(doc, 'div', { class: 'scroll' }, this.log, this.typing);
    this.input = h(doc, 'textarea', { id: 'lx-input', rows: '1', placeholder: s.placeholder, 'aria-label': s.inputLabel, enterkeyhint: 'send' });
    this.sendBtn = h(doc, 'button', { type: 'submit', class: 'send' }, s.send);
    const form = h(doc, 'form', { class: 'compose' }, this.input, this.sendBtn);
    const header = h(doc, 'div', { class: 'head' }, h(doc, 'div', { class: 'ttl' }, this.title, this.sub));

    this.queueText = h(doc, 'span', { role: 'status' });
    this.leaveBtn = h(doc, 'button', { type: 'button', class: 'link' }, s.leave);
    // Placeholders double as the fields' accessible names (no visible labels in a 370 px panel).
    const leaveText = h(doc, 'textarea', { rows: '2', maxlength: '2000', placeholder: s.leaveHint });
    const contact = h(doc, 'input', { maxlength: '100', placeholder: s.contact });
    this.leaveForm = h(doc, 'form', { class: 'leave', hidden: '' }, leaveText, contact, h(doc, 'button', { class: 'send' }, s.submit));
    this.queue = h(doc, 'div', { class: 'queue', hidden: '' }, this.queueText, this.leaveBtn, this.leaveForm);
    // The button toggles the form (a second press closes it again).
    this.leaveBtn.addEventListener('click', () => {
      this.leaveForm.hidden = !this.leaveForm.hidden;
      if (!this.leaveForm.hidden) leaveText.focus();
    });
    this.leaveForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = leaveText.value.trim();
      if (!text) return;
      // The server answers with a notice (the work order's number) and the end of the wait (a `status` frame).
      if (!this.conn.leaveMessage(text, contact.value.trim())) return this.notice(s.serverError, true);
      this.leaveForm.reset();
      this.leaveForm.hidden = true;
    });
    if (floating) header.appendChild(closeBtn);
    this.panel = h(doc, 'section', {
      class: 'panel',
      id: 'lx-panel',
      role: floating ? 'dialog' : 'region',
      'aria-labelledby': 'lx-title',
    }, header, this.status, this.scroller, this.queue, form);
    this.root = h(doc, 'div', { class: `root ${opts.mode}`, lang: opts.lang });

    if (floating) {
      this.launcher = h(doc, 'button', { type: 'button', class: 'launcher', 'aria-label': s.openChat, 'aria-expanded': 'false', 'aria-controls': 'lx-panel' });
      this.launcher.appendChild(chatIcon(doc));
      this.launcher.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
      this.panel.hidden = true;
      this.root.append(this.launcher, this.panel);
    } else {
      this.root.append(this.panel);
    }
    shadow.append(h(doc, 'style', {}, CSS), this.root);

    closeBtn.addEventListener('click', () => this.close());
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && floating) this.close();
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitInput();
    });
    this.input.addEventListener('keydown', (e) => {
      // While an IME is composing (pinyin → 汉字), Enter confirms the candidate; it must not send the message.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submitInput();
      }
    });
    this.input.addEventListener('input', () => this.autosize());

    const storage = safeLocalStorage(win);
    this.conn = new ChatConnection({
      origin: opts.origin,
      bot: opts.bot,
      deps: {
        createSocket: (url) => new win.WebSocket(url) as unknown as SocketLike,
        fetch: (url, init) => win.fetch(url, { ...init, credentials: 'omit', mode: 'cors' }),
        setTimeout: (fn, ms) => win.setTimeout(fn, ms),
        clearTimeout: (t) => win.clearTimeout(t as number),
        random: Math.random,
        newId,
        store: createSessionStore(storage, sessionKey(opts.origin, opts.bot)),
      },
      listener: {
        welcome: (bot) => this.onWelcome(bot),
        customerMessage: (m) => this.onCustomerMessage(m.text, m.clientMsgId),
        reply: (r) => this.onReply(r.reply, r.seq),
        service: (f) => {
          if (f.type === 'status') return this.onService(f.status, f.agentName);
          // Position 1 is next: "0 ahead of you".
          const t = format(s.queue, { n: Math.max(0, f.position - 1) });
          this.queueText.textContent = f.etaSeconds == null ? t : t + format(s.eta, { m: Math.max(1, Math.ceil(f.etaSeconds / 60)) });
          this.queue.hidden = false;
        },
        typing: (on) => {
          this.serverTyping = on;
          this.updateTyping();
        },
        status: (st) => this.onStatus(st),
        undelivered: (id) => {
          const bubble = this.mine.get(id)?.querySelector('.bubble');
          bubble?.classList.replace('pending', 'failed');
          bubble?.removeAttribute('aria-busy');
          bubble?.setAttribute('title', this.s.sendFailed);
          this.notice(this.s.sendFailed, true);
        },
        error: (code) => this.onError(code),
      },
    });
    win.addEventListener('online', () => this.conn.reconnectNow());

    // A floating launcher connects on first open: most page views never chat, and each connection costs the bank
    // a session. Inline mode is the chat itself, so it connects at once.
    if (!floating) this.conn.start();
  }

  open(): void {
    this.conn.start();
    if (this.opts.mode === 'floating' && !this.isOpen) {
      this.isOpen = true;
      this.panel.hidden = false;
      this.root.classList.add('open');
      this.launcher?.setAttribute('aria-expanded', 'true');
      this.scrollToEnd();
    }
    this.input.focus();
  }

  close(): void {
    if (this.opts.mode !== 'floating' || !this.isOpen) return;
    this.isOpen = false;
    this.panel.hidden = true;
    this.root.classList.remove('open');
    this.launcher?.setAttribute('aria-expanded', 'false');
    this.launcher?.focus();
  }

  /** Sends `text` as the customer (also used by the host page through window.Lingxi.send). */
  send(text: string, display?: string): boolean {
    const t = text.trim();
    if (!t) return false;
    if (t.length > MAX_CHARS) {
      this.notice(format(this.s.tooLong, { max: MAX_CHARS }), true);
      return false;
    }
    this.conn.start();
    const id = this.conn.send(t);
    this.addMine(display ?? t, id, true);
    this.waiting = true;
    clearTimeout(this.waitTimer);
    // The local "typing" is a promise that an answer is coming; don't keep it forever if none does.
    this.waitTimer = setTimeout(() => {
      this.waiting = false;
      this.updateTyping();
    }, 20_000);
    this.updateTyping();
    return true;
  }

  dropSocket(): void {
    this.conn.dropSocket();
  }

  // ---- events from the connection ----

  private onWelcome(bot: BotInfo): void {
    if (bot.name) this.title.textContent = bot.name;
    this.greet(bot.greeting);
  }

  private greet(text?: string): void {
    if (this.greeted) return;
    this.greeted = true;
    this.addBot({ type: 'text', text: text || this.s.greeting });
    // Messages typed before a reload and never acknowledged: show them as pending until the server echoes them.
    for (const m of this.conn.pending) if (!this.mine.has(m.clientMsgId)) this.addMine(m.text, m.clientMsgId, true);
  }

  private onCustomerMessage(text: string, clientMsgId?: string): void {
    const known = clientMsgId ? this.mine.get(clientMsgId) : undefined;
    if (known) {
      const bubble = known.querySelector('.bubble');
      bubble?.classList.remove('pending');
      bubble?.removeAttribute('aria-busy');
      bubble?.removeAttribute('title');
      // Re-append: the server's order is the truth (e.g. a reply to an earlier message may have come in between).
      this.log.appendChild(known);
      this.disableOldOptions();
      this.scrollToEnd();
      return;
    }
    this.addMine(this.lastOptions.get(text.trim()) ?? text, clientMsgId, false);
  }

  private onReply(reply: Reply, seq?: number): void {
    this.waiting = false;
    this.updateTyping();
    if (reply.type === 'handoff') this.notice(reply.text || this.s.handoff, false);
    // Service notices (queued, agent joined, closed, message left) are the service's voice, not a chat bubble.
    else if (reply.type === 'system') this.notice(reply.text, false);
    else this.addBot(reply);
    // A rating card: after a goodbye to the robot or a closed human conversation. One answered card is not asked
    // again when a reload replays the conversation.
    if (reply.rating && !(seq && seq <= this.conn.rated)) this.rateCard(seq);
  }

  private onService(status: ConversationServiceStatus, agentName?: string): void {
    if (status !== 'handoff') this.queue.hidden = this.leaveForm.hidden = true;
    const joined = status === 'agent' && !!agentName;
    this.sub.textContent = joined ? format(this.s.joined, { name: agentName! }) : '';
    this.sub.hidden = !joined;
  }

  /** Five stars (native radio buttons: Tab to the group, arrows to choose), an optional comment, submit. */
  private rateCard(seq?: number): void {
    const d = this.doc;
    const s = this.s;
    for (const old of this.log.querySelectorAll('.rate:not(.done)')) old.remove();
    const stars = h(d, 'fieldset', { 'aria-label': s.rateTitle });
    const submit = h(d, 'button', { class: 'send', disabled: '' }, s.submit);
    let score = 0;
    for (let i = 0; i < 5; i++) {
      // One open card at a time (older unanswered ones are removed), so one radio group name serves.
      const input = h(d, 'input', { type: 'radio', name: 'lx-rate', class: 'sr', 'aria-label': `${i + 1}/5` });
      stars.appendChild(h(d, 'label', {}, input, h(d, 'span', { 'aria-hidden': 'true' }, '\u2605')));
      input.addEventListener('change', () => {
        score = i + 1;
        stars.querySelectorAll('label').forEach((l, j) => l.classList.toggle('on', j < score));
        submit.disabled = false;
      });
    }
    const comment = h(d, 'textarea', { rows: '2', maxlength: '500', placeholder: s.comment });
    const card = h(d, 'form', { class: 'rate' }, h(d, 'b', {}, s.rateTitle), stars, comment, submit);
    // Disabled while submitting (the submit button too, which also guards against a second submit).
    const lock = (on: boolean) => card.querySelectorAll<HTMLInputElement>('input,textarea,button').forEach((f) => (f.disabled = on));
    card.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!score || submit.disabled) return;
      lock(true);
      submit.textContent = s.sending;
      this.conn.rate(score, comment.value.trim(), seq).then(
        () => {
          card.className = 'rate done';
          card.textContent = '';
          card.appendChild(h(d, 'div', { role: 'status' }, s.thanks));
        },
        () => {
          lock(false);
          submit.textContent = s.submit;
          this.notice(s.serverError, true);
        },
      );
    });
    this.log.appendChild(card);
    this.scrollToEnd();
  }

  private onStatus(st: ConnectionStatus): void {
    clearTimeout(this.statusTimer);
    if (st === 'online' || st === 'http' || st === 'idle') {
      this.status.hidden = true;
      if (st === 'http') this.greet();
      return;
    }
    const text = st === 'reconnecting' ? this.s.reconnecting : this.s.connecting;
    // Don't flash a banner for a connection that takes 100 ms.
    this.statusTimer = setTimeout(() => {
      this.status.textContent = text;
      this.status.hidden = false;
    }, st === 'reconnecting' ? 300 : 1500);
  }

  private onError(code: string): void {
    this.waiting = false;
    this.updateTyping();
    this.notice(/too_?long|413/i.test(code) ? format(this.s.tooLong, { max: MAX_CHARS }) : this.s.serverError, true);
  }

  // ---- rendering ----

  private submitInput(): void {
    if (this.send(this.input.value)) {
      this.input.value = '';
      this.autosize();
    }
    this.input.focus();
  }

  private addMine(text: string, clientMsgId: string | undefined, pending: boolean): void {
    const d = this.doc;
    const bubble = h(d, 'div', { class: pending ? 'bubble pending' : 'bubble' }, h(d, 'span', { class: 'sr' }, `${this.s.me}：`), text);
    if (pending) {
      bubble.setAttribute('aria-busy', 'true');
      bubble.title = this.s.sending;
    }
    const row = h(d, 'div', { class: 'row me' }, bubble);
    if (clientMsgId) this.mine.set(clientMsgId, row);
    this.log.appendChild(row);
    this.disableOldOptions();
    this.scrollToEnd();
  }

  private addBot(reply: Reply): void {
    const d = this.doc;
    // An agent's reply is labelled with the name the customer may see (客服小王).
    const who = reply.type === 'agent' ? reply.agentName : '';
    const bubble = h(d, 'div', { class: 'bubble' }, h(d, 'span', { class: 'sr' }, `${who || this.s.bot}：`));
    const rich = reply.html ? sanitizeHtml(reply.html, d) : null;
    if (rich && rich.textContent?.trim()) {
      bubble.classList.add('rich');
      bubble.appendChild(rich);
    } else {
      bubble.appendChild(d.createTextNode(reply.text));
    }
    const row = h(d, 'div', { class: 'row bot' }, bubble);
    if (who) row.insertBefore(h(d, 'div', { class: 'who', 'aria-hidden': 'true' }, who), bubble);
    if (reply.entryId) row.setAttribute('data-entry', reply.entryId);

    this.lastOptions = new Map();
    if (reply.options?.length) {
      const group = h(d, 'div', { class: 'opts', role: 'group', 'aria-label': this.s.options });
      for (const o of reply.options) {
        this.lastOptions.set(String(o.n), o.text);
        const b = h(d, 'button', { type: 'button', class: 'opt', 'data-n': String(o.n) }, `${o.n}. ${o.text}`);
        b.addEventListener('click', () => this.choose(o, group));
        group.appendChild(b);
      }
      row.appendChild(group);
    }
    if (reply.related?.length) {
      const list = h(d, 'ul', { class: 'rel', 'aria-label': this.s.related });
      for (const r of reply.related) {
        const b = h(d, 'button', { type: 'button', class: 'link' }, r.text);
        // Related questions are sent as their text, not a number: the number would mean nothing to the server.
        b.addEventListener('click', () => this.send(r.text));
        list.appendChild(h(d, 'li', {}, b));
      }
      row.append(h(d, 'div', { class: 'relh', 'aria-hidden': 'true' }, this.s.related), list);
    }
    const follow = this.nearEnd();
    this.log.appendChild(row);
    // Follow the conversation unless the reader scrolled up to re-read something. A long answer is shown from its
    // first line rather than its last: that is where reading starts.
    if (follow) {
      const el = this.scroller;
      el.scrollTop = row.offsetHeight > el.clientHeight - 40 ? row.offsetTop - 8 : el.scrollHeight;
    }
  }

  private choose(o: ReplyOption, group: HTMLElement): void {
    for (const b of group.querySelectorAll('button')) b.disabled = true;
    this.send(String(o.n), o.text);
  }

  private notice(text: string, error: boolean): void {
    const n = h(this.doc, 'div', { class: error ? 'notice err' : 'notice', role: error ? 'alert' : 'note' },
      h(this.doc, 'span', { class: 'sr' }, `${this.s.system}：`), text);
    this.log.appendChild(n);
    this.scrollToEnd();
  }

  /** Options belong to the question just asked; once the customer has said something else they are stale. */
  private disableOldOptions(): void {
    for (const b of this.log.querySelectorAll<HTMLButtonElement>('.opt')) b.disabled = true;
  }

  private updateTyping(): void {
    const on = this.serverTyping || this.waiting;
    if (this.typing.hidden === !on) return;
    this.typing.hidden = !on;
    if (on) this.scrollToEnd();
  }

  private nearEnd(): boolean {
    const el = this.scroller;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  }

  private scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  private autosize(): void {
    // Empty: back to one row (Chromium's scrollHeight would count a wrapped placeholder).
    if (!this.input.value) {
      this.input.style.height = '';
      return;
    }
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 120)}px`;
  }
}

function chatIcon(doc: Document): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = doc.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.appendChild(path);
  for (const cx of [7.5, 12, 16.5]) {
    const dot = doc.createElementNS(SVG_NS, 'circle');
    dot.setAttribute('cx', String(cx));
    dot.setAttribute('cy', '10.5');
    dot.setAttribute('r', '1.4');
    dot.setAttribute('style', 'fill:var(--a)');
    svg.appendChild(dot);
  }
  return svg;
}

function safeLocalStorage(win: Window): Storage | undefined {
  try {
    return win.localStorage; // the getter itself throws when storage is blocked
  } catch {
    return undefined;
  }
}
