// A searchable picker (React Aria combobox): people by name or email, IdP groups by display
// name. It hands back the chosen item's id, so nobody types ids by hand.
import { useEffect, useMemo, useState } from 'react';
import { Button, ComboBox, FieldError, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';

export interface PickerItem {
  id: string;
  label: string;
  detail?: string;
}

interface Props {
  label: string;
  items: PickerItem[];
  selected: string | null;
  onSelect(id: string | null): void;
  description?: string;
  empty: string;
  name?: string;
  isRequired?: boolean;
}

export function Picker(p: Props) {
  const [input, setInput] = useState('');
  const chosen = p.items.find((i) => i.id === p.selected);
  // Typing matches the name and the detail (a person's email); once chosen, the field shows the name alone.
  const shown = useMemo(() => {
    if (chosen && input === chosen.label) return p.items;
    const q = input.trim().toLowerCase();
    return p.items.filter((i) => `${i.label} ${i.detail ?? ''}`.toLowerCase().includes(q));
  }, [p.items, input, chosen]);
  // Cleared by the page (after a submit): the field empties too.
  useEffect(() => {
    if (p.selected === null) setInput('');
  }, [p.selected]);
  return (
    <ComboBox
      className="field picker"
      name={p.name}
      formValue="key"
      isRequired={p.isRequired}
      items={shown}
      inputValue={input}
      onInputChange={setInput}
      selectedKey={p.selected}
      onSelectionChange={(key) => {
        const id = key === null ? null : String(key);
        setInput(p.items.find((i) => i.id === id)?.label ?? '');
        p.onSelect(id);
      }}
      menuTrigger="focus"
    >
      <Label>{p.label}</Label>
      <div className="picker-input">
        <Input />
        <Button className="picker-button" excludeFromTabOrder>
          ▾
        </Button>
      </div>
      {p.description && (
        <Text slot="description" className="hint">
          {p.description}
        </Text>
      )}
      <FieldError className="field-error" />
      <Popover className="popover">
        <ListBox className="listbox" renderEmptyState={() => <p className="hint">{p.empty}</p>}>
          {(item: PickerItem) => (
            <ListBoxItem id={item.id} textValue={item.label} className="listbox-item">
              <span className="person-name">{item.label}</span>
              {item.detail && <span className="person-email"> {item.detail}</span>}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
