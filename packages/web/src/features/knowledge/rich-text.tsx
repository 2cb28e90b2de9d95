import { useEffect, useRef } from 'react';
import { Button, Space, Tooltip } from 'antd';
import { BoldOutlined, LinkOutlined, OrderedListOutlined, PictureOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { useT } from '../../shared/i18n.tsx';

/**
 * A small rich-text editor for answers: bold, lists, links and images (by address) on a contenteditable. The server
 * sanitises the HTML by an allow-list (modules/knowledge/validation.ts), so this only has to produce plain markup.
 * Controlled by its initial value: `resetKey` reloads it (another entry opened).
 */
export function RichTextEditor({ value, onChange, resetKey, testId }: { value: string; onChange(html: string, text: string): void; resetKey: string; testId?: string }) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.innerHTML = value;
    // Only when another entry is loaded: typing must not reset the caret.
  }, [resetKey]);
  const emit = () => {
    const el = ref.current;
    if (el) onChange(el.innerHTML, (el.innerText ?? el.textContent ?? '').trim());
  };
  const exec = (cmd: string, arg?: string) => {
    ref.current?.focus();
    document.execCommand(cmd, false, arg);
    emit();
  };
  const ask = (label: string, cmd: string) => {
    const url = window.prompt(label, 'https://');
    if (url && /^(https?:\/\/|mailto:|tel:)/i.test(url.trim())) exec(cmd, url.trim());
  };
  return (
    <div className="kb-rte">
      <Space size={2} className="kb-rte-toolbar">
        <Tooltip title={t('kb.rte.bold')}><Button size="small" type="text" icon={<BoldOutlined />} onMouseDown={(e) => e.preventDefault()} onClick={() => exec('bold')} aria-label={t('kb.rte.bold')} /></Tooltip>
        <Tooltip title={t('kb.rte.list')}><Button size="small" type="text" icon={<UnorderedListOutlined />} onMouseDown={(e) => e.preventDefault()} onClick={() => exec('insertUnorderedList')} aria-label={t('kb.rte.list')} /></Tooltip>
        <Tooltip title={t('kb.rte.list')}><Button size="small" type="text" icon={<OrderedListOutlined />} onMouseDown={(e) => e.preventDefault()} onClick={() => exec('insertOrderedList')} aria-label="ol" /></Tooltip>
        <Tooltip title={t('kb.rte.link')}><Button size="small" type="text" icon={<LinkOutlined />} onMouseDown={(e) => e.preventDefault()} onClick={() => ask(t('kb.rte.linkPrompt'), 'createLink')} aria-label={t('kb.rte.link')} /></Tooltip>
        <Tooltip title={t('kb.rte.image')}><Button size="small" type="text" icon={<PictureOutlined />} onMouseDown={(e) => e.preventDefault()} onClick={() => ask(t('kb.rte.imagePrompt'), 'insertImage')} aria-label={t('kb.rte.image')} /></Tooltip>
      </Space>
      <div ref={ref} className="kb-rte-body" contentEditable suppressContentEditableWarning onInput={emit} onBlur={emit} data-testid={testId} role="textbox" aria-multiline="true" />
    </div>
  );
}
