/**
 * All styles live in the bundle (the server serves no widget.css) and inside the shadow root, so neither the bank's
 * page styles nor ours leak across. Hosts can theme through CSS custom properties, which do cross the shadow
 * boundary: e.g. `#lingxi-host { --lingxi-accent: #c8102e }`.
 */
export const CSS = `
:host{all:initial;--a:var(--lingxi-accent,#1d5fbf);--at:var(--lingxi-accent-text,#fff);--bg:#fff;--fg:#1f2329;--mu:#646a73;--bd:#dee0e3;
font:14px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",system-ui,sans-serif;color:var(--fg)}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
button{font:inherit;cursor:pointer}
button:focus-visible,textarea:focus-visible,a:focus-visible{outline:2px solid var(--a);outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;background:var(--a);color:var(--at);box-shadow:0 4px 16px rgba(0,0,0,.2);display:flex;align-items:center;justify-content:center}
.launcher svg{width:28px;height:28px;fill:currentColor}
.panel{display:flex;flex-direction:column;background:var(--bg);overflow:hidden}
.floating .panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:370px;height:min(620px,calc(100vh - 112px));border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.18)}
.inline{height:100%}
.inline .panel{width:100%;height:100%;min-height:420px;border:1px solid var(--bd);border-radius:12px}
.head{display:flex;align-items:center;gap:8px;padding:12px 16px;background:var(--a);color:var(--at)}
.ttl{flex:1;min-width:0}
.head h2{margin:0;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.sub{font-size:12px}
.close{border:0;background:transparent;color:inherit;width:32px;height:32px;border-radius:6px;font-size:22px;line-height:1}
.close:hover{background:rgba(255,255,255,.15)}
.status{padding:6px 16px;font-size:12px;background:#fff7e6;color:#8a5300;border-bottom:1px solid #ffe1a6}
.scroll{position:relative;flex:1;overflow-y:auto;padding:16px 12px 8px;background:#f7f8fa;overscroll-behavior:contain}
.log{display:flex;flex-direction:column;gap:10px}
.row{display:flex;flex-direction:column;align-items:flex-start;max-width:100%}
.row.me{align-items:flex-end}
.bubble{max-width:85%;padding:8px 12px;border-radius:12px;background:var(--bg);border:1px solid #e8eaed;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.me .bubble{background:var(--a);color:var(--at);border-color:transparent;border-bottom-right-radius:4px}
.bot .bubble{border-bottom-left-radius:4px}
.bubble.rich{white-space:normal}
.rich p{margin:0 0 6px}.rich p:last-child{margin:0}
.rich ol,.rich ul{margin:4px 0;padding-left:20px}
.bubble a{color:var(--a)}
.me .bubble.pending{opacity:.65}
.me .bubble.failed{background:#8f959e}
.notice{align-self:center;max-width:92%;padding:6px 12px;border-radius:8px;background:#eef3fb;color:#2d4a7a;font-size:13px;text-align:center;white-space:pre-wrap}
.notice.err{background:#fdecec;color:#a12622}
.opts{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px;max-width:85%}
.opt{border:1px solid var(--a);background:var(--bg);color:var(--a);border-radius:16px;padding:4px 12px;text-align:left}
.opt:hover:not(:disabled){background:var(--a);color:var(--at)}
.opt:disabled{opacity:.5;cursor:default}
.relh{margin-top:8px;font-size:12px;color:var(--mu)}
.rel{margin:2px 0 0;padding:0;list-style:none;max-width:85%;font-size:13px}
.rel li{margin-top:2px}
.link{border:0;background:none;padding:0;color:var(--a);text-align:left;text-decoration:underline;text-underline-offset:2px}
.typing{display:flex;gap:4px;align-items:center;padding:10px 14px;margin:10px 0 4px;width:max-content;background:var(--bg);border:1px solid #e8eaed;border-radius:12px}
.typing i{width:6px;height:6px;border-radius:50%;background:#9aa0a6;animation:b 1.2s infinite ease-in-out}
.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}
@keyframes b{0%,80%,100%{transform:translateY(0);opacity:.5}40%{transform:translateY(-4px);opacity:1}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}
.who{margin-left:4px;font-size:12px;color:var(--mu)}
.queue{padding:8px 12px;font-size:13px;background:#eef3fb;border-top:1px solid var(--bd)}
.queue .link{margin:0 8px}
.leave,.rate{display:flex;flex-direction:column;gap:6px}
.queue [placeholder],.rate textarea{flex:none;min-height:0;padding:6px 8px;border:1px solid var(--bd);border-radius:6px;font:inherit}
.rate{align-self:center;align-items:center;padding:12px;border:1px solid var(--bd);border-radius:12px;background:var(--bg)}
.rate fieldset{margin:0;padding:0;border:0}
.rate label{font-size:28px;color:#c9cdd4;cursor:pointer}
.rate .on{color:#f5a623}
.rate label:focus-within{outline:2px solid var(--a)}
.compose{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid var(--bd);background:var(--bg)}
textarea{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 10px;border:1px solid var(--bd);border-radius:8px;font:inherit;color:inherit;background:var(--bg)}
textarea:focus{border-color:var(--a);outline:none}
.send{height:40px;padding:0 16px;border:0;border-radius:8px;background:var(--a);color:var(--at);font-weight:600;white-space:nowrap}
.send:disabled{opacity:.5;cursor:default}
@media (max-width:480px){
.floating .panel{inset:0;right:0;bottom:0;width:100%;height:100%;border-radius:0}
.floating.open .launcher{display:none}
.bubble,.opts,.rel{max-width:92%}
textarea{font-size:16px}
}
`;
