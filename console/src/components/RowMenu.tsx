// The "…" actions menu of a row (React Aria: a real menu, arrow keys, Escape, typeahead), named
// for the row it acts on so a screen reader user knows which company or person it is.
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';

export interface MenuAction {
  id: string;
  label: string;
  danger?: boolean;
}

export function RowMenu({ label, actions, onAction }: { label: string; actions: MenuAction[]; onAction(id: string): void }) {
  if (!actions.length) return null;
  return (
    <MenuTrigger>
      <Button className="icon-button" aria-label={label}>
        <span aria-hidden="true">…</span>
      </Button>
      <Popover placement="bottom end" className="popover">
        <Menu className="menu" onAction={(key) => onAction(String(key))}>
          {actions.map((a) => (
            <MenuItem key={a.id} id={a.id} className={a.danger ? 'menu-item danger' : 'menu-item'}>
              {a.label}
            </MenuItem>
          ))}
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
