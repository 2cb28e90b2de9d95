import { useEffect, useMemo, useState } from 'react';
import { Select, Space, Typography } from 'antd';
import { useT } from '../../shared/i18n.tsx';
import { kbApi, listBots, type Bot } from './kb-api.ts';

const KEY = 'lingxi.kb.bot';
let cache: Bot[] | null = null;

/** The bot whose knowledge the console edits: the last one chosen (kept in localStorage), else the tenant's first. */
export function useKbBot() {
  const [bots, setBots] = useState<Bot[]>(cache ?? []);
  const [slug, setSlugState] = useState<string | null>(() => {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null;
    }
  });
  useEffect(() => {
    if (cache) return;
    listBots().then((b) => {
      cache = b;
      setBots(b);
    }, () => undefined);
  }, []);
  const bot = bots.find((b) => b.slug === slug) ?? bots[0] ?? null;
  const setSlug = (s: string) => {
    setSlugState(s);
    try {
      localStorage.setItem(KEY, s);
    } catch {
      // not kept; fine
    }
  };
  const kb = useMemo(() => (bot ? kbApi(bot.slug) : null), [bot]);
  return { bots, bot, setSlug, kb };
}

export function BotSelect({ bots, bot, onChange }: { bots: Bot[]; bot: Bot | null; onChange(slug: string): void }) {
  const t = useT();
  if (bots.length <= 1) return bot ? <Typography.Text type="secondary">{t('kb.bot')}：{bot.name}</Typography.Text> : null;
  return (
    <Space size={4}>
      <Typography.Text type="secondary">{t('kb.bot')}</Typography.Text>
      <Select size="small" value={bot?.slug} onChange={onChange} options={bots.map((b) => ({ value: b.slug, label: b.name }))} style={{ width: 160 }} />
    </Space>
  );
}
