// A searchable picker (React Aria combobox): people by name or email, IdP groups by display
// name. It hands back the chosen item's id, so nobody types ids by hand.
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
  return (
    <ComboBox
      className="field picker"
      name={p.name}
      formValue="key"
      isRequired={p.isRequired}
      defaultItems={p.items}
      selectedKey={p.selected}
      onSelectionChange={(key) => p.onSelect(key === null ? null : String(key))}
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
            <ListBoxItem id={item.id} textValue={`${item.label} ${item.detail ?? ''}`} className="listbox-item">
              <span className="person-name">{item.label}</span>
              {item.detail && <span className="person-email"> {item.detail}</span>}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
