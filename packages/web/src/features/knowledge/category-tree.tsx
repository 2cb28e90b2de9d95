import { useMemo, useState } from 'react';
import { App as AntApp, Button, Card, Input, Modal, Popconfirm, Space, Tooltip, Tree, Typography, type TreeDataNode, type TreeProps } from 'antd';
import { DeleteOutlined, EditOutlined, FolderAddOutlined, PlusOutlined } from '@ant-design/icons';
import { useT } from '../../shared/i18n.tsx';
import type { Category, KbApi } from './kb-api.ts';
import { categoryTree, dropPlacement, subtreeCount, type CategoryNode } from './kb-utils.ts';

const ALL = '__all__';

/** The category tree beside the entry list: select to filter, drag to reorder or nest, add / rename / delete. */
export function CategoryTree({ kb, categories, selected, onSelect, onChanged, canWrite }: {
  kb: KbApi;
  categories: Category[];
  selected: string | null;
  onSelect(id: string | null): void;
  onChanged(): void;
  canWrite: boolean;
}) {
  const t = useT();
  const { message } = AntApp.useApp();
  const [naming, setNaming] = useState<{ mode: 'add' | 'addSub' | 'rename'; name: string } | null>(null);
  const nodes = useMemo(() => categoryTree(categories), [categories]);
  const total = useMemo(() => nodes.reduce((n, c) => n + subtreeCount(c), 0), [nodes]);

  const toData = (ns: CategoryNode[]): TreeDataNode[] =>
    ns.map((n) => ({
      key: n.id,
      title: (
        <span className="kb-tree-title" data-testid="kb-tree-node">
          <span title={n.path}>{n.name}</span>
          <span className="kb-tree-count">{subtreeCount(n)}</span>
        </span>
      ),
      children: toData(n.children),
    }));
  const treeData: TreeDataNode[] = [{ key: ALL, title: <span className="kb-tree-title">{t('kb.allCategories')}<span className="kb-tree-count">{total}</span></span>, children: toData(nodes) }];

  const fail = (e: unknown) => message.error(t('kb.error', { message: (e as Error).message }));

  const onDrop: TreeProps['onDrop'] = async (info) => {
    const dragId = String(info.dragNode.key);
    const targetId = String(info.node.key);
    if (dragId === ALL) return;
    const pos = info.node.pos.split('-');
    const relative = info.dropPosition - Number(pos[pos.length - 1]);
    const placement = targetId === ALL ? { parentId: null, position: 0 } : dropPlacement(categories, dragId, targetId, info.dropToGap, relative > 0);
    try {
      await kb.moveCategory(dragId, placement.parentId, placement.position);
      message.success(t('kb.category.moved'));
      onChanged();
    } catch (e) {
      fail(e);
    }
  };

  const sel = categories.find((c) => c.id === selected) ?? null;
  const submitName = async () => {
    if (!naming?.name.trim()) return;
    try {
      if (naming.mode === 'rename' && sel) await kb.renameCategory(sel.id, naming.name.trim());
      else await kb.createCategory(naming.name.trim(), naming.mode === 'addSub' ? sel?.id ?? null : null);
      setNaming(null);
      onChanged();
    } catch (e) {
      fail(e);
    }
  };

  return (
    <Card
      size="small"
      className="kb-tree-card"
      title={t('kb.categories')}
      extra={canWrite && (
        <Space size={0}>
          <Tooltip title={t('kb.category.add')}><Button size="small" type="text" icon={<PlusOutlined />} onClick={() => setNaming({ mode: 'add', name: '' })} aria-label={t('kb.category.add')} data-testid="kb-cat-add" /></Tooltip>
          <Tooltip title={t('kb.category.addSub')}><Button size="small" type="text" icon={<FolderAddOutlined />} disabled={!sel} onClick={() => setNaming({ mode: 'addSub', name: '' })} aria-label={t('kb.category.addSub')} /></Tooltip>
          <Tooltip title={t('kb.category.rename')}><Button size="small" type="text" icon={<EditOutlined />} disabled={!sel} onClick={() => setNaming({ mode: 'rename', name: sel?.name ?? '' })} aria-label={t('kb.category.rename')} /></Tooltip>
          <Popconfirm title={t('kb.category.deleteConfirm', { name: sel?.name ?? '' })} disabled={!sel} onConfirm={async () => {
            try {
              await kb.deleteCategory(sel!.id);
              onSelect(null);
              onChanged();
            } catch (e) {
              fail(e);
            }
          }}>
            <Tooltip title={t('kb.category.delete')}><Button size="small" type="text" danger icon={<DeleteOutlined />} disabled={!sel} aria-label={t('kb.category.delete')} /></Tooltip>
          </Popconfirm>
        </Space>
      )}
    >
      <Tree
        blockNode
        defaultExpandAll
        key={categories.length}
        draggable={canWrite ? { icon: false, nodeDraggable: (n) => n.key !== ALL } : false}
        selectedKeys={[selected ?? ALL]}
        treeData={treeData}
        onSelect={(keys) => onSelect(keys[0] && keys[0] !== ALL ? String(keys[0]) : null)}
        onDrop={onDrop}
        data-testid="kb-tree"
      />
      {canWrite && <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 4px 0' }}>{t('kb.category.dragHint')}</Typography.Paragraph>}
      <Modal
        open={!!naming}
        title={naming?.mode === 'rename' ? t('kb.category.rename') : naming?.mode === 'addSub' ? `${t('kb.category.addSub')} · ${sel?.path ?? ''}` : t('kb.category.add')}
        onCancel={() => setNaming(null)}
        onOk={() => void submitName()}
        okText={t('kb.ok')}
        cancelText={t('kb.cancel')}
        destroyOnClose
      >
        <Input autoFocus placeholder={t('kb.category.name')} value={naming?.name ?? ''} maxLength={100} onChange={(e) => setNaming((n) => (n ? { ...n, name: e.target.value } : n))} onPressEnter={() => void submitName()} data-testid="kb-cat-name" />
      </Modal>
    </Card>
  );
}
