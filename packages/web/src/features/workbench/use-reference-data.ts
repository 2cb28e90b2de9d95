import { useEffect, useState } from 'react';
import { useI18n } from '../../shared/i18n.tsx';
import { workbenchApi, type GroupRef, type WrapupCategory } from './workbench-api.ts';

/** Reference lists the server offers (read once per tab): wrap-up categories and skill groups, with zh/en labels. */
function useOnce<T>(load: () => Promise<T[]>): T[] {
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    let live = true;
    load().then((c) => live && setItems(c), () => undefined);
    return () => {
      live = false;
    };
  }, [load]);
  return items;
}

export const useWrapupCategories = (): WrapupCategory[] => useOnce(workbenchApi.wrapupCategories);

export const categoryLabel = (id: string, cats: WrapupCategory[], locale: 'zh-CN' | 'en-US') => {
  const c = cats.find((x) => x.id === id);
  return c ? (locale === 'en-US' ? c.en : c.zh) : id;
};

/** A skill group's name in the UI language (queue figures carry the Chinese name only). */
export function useGroupName(): (id: string | null | undefined) => string | null {
  const { locale } = useI18n();
  const groups = useOnce<GroupRef>(workbenchApi.groups);
  return (id) => {
    if (!id) return null;
    const g = groups.find((x) => x.id === id);
    return g ? (locale === 'en-US' ? g.name.en : g.name.zh) : id;
  };
}
