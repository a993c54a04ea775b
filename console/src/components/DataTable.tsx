// A data table that stays a table for assistive technology (explicit roles survive the CSS that
// turns rows into cards on a phone, where each cell shows its column name), plus its pager.
import type { ReactNode } from 'react';
import { useFormat, useT } from '../i18n/I18n';

export interface Column<R> {
  key: string;
  header: string;
  cell(row: R): ReactNode;
  /** The cell that names the row (a screen reader announces it with each cell). */
  rowHeader?: boolean;
  className?: string;
}

interface Props<R> {
  caption: string;
  columns: Array<Column<R>>;
  rows: R[];
  rowKey(row: R): string;
  empty: string;
  /** Keeps the caption for screen readers only (a heading above already says it). */
  hideCaption?: boolean;
}

export function DataTable<R>({ caption, columns, rows, rowKey, empty, hideCaption }: Props<R>) {
  return (
    <table className="data" role="table">
      <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
      <thead role="rowgroup">
        <tr role="row">
          {columns.map((c) => (
            <th key={c.key} role="columnheader" scope="col" className={c.className}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.length === 0 && (
          <tr role="row">
            <td role="cell" colSpan={columns.length} className="empty">
              {empty}
            </td>
          </tr>
        )}
        {rows.map((r) => (
          <tr role="row" key={rowKey(r)}>
            {columns.map((c) =>
              c.rowHeader ? (
                <th key={c.key} role="rowheader" scope="row" data-label={c.header} className={c.className}>
                  {c.cell(r)}
                </th>
              ) : (
                <td key={c.key} role="cell" data-label={c.header} className={c.className}>
                  {c.cell(r)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Pager({
  offset,
  limit,
  count,
  total,
  onChange,
}: {
  offset: number;
  limit: number;
  count: number;
  total: number;
  onChange(offset: number): void;
}) {
  const t = useT();
  const f = useFormat();
  const to = offset + count;
  return (
    <nav className="pager" aria-label={t('pager.label')}>
      <button type="button" className="button secondary" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t('pager.previous')}
      </button>
      <span aria-live="polite">{t('pager.range', { from: total ? f.number(offset + 1) : '0', to: f.number(to), total })}</span>
      <button type="button" className="button secondary" disabled={to >= total} onClick={() => onChange(offset + limit)}>
        {t('pager.next')}
      </button>
    </nav>
  );
}

/** A person as "Name · email" (or the email alone when the IdP sent no name). */
export function PersonName({ name, email, userName }: { name?: string | null; email?: string | null; userName?: string | null }) {
  const address = email ?? userName ?? '';
  return name ? (
    <span className="person">
      <span className="person-name">{name}</span> <span className="person-email">{address}</span>
    </span>
  ) : (
    <span className="person">{address}</span>
  );
}
