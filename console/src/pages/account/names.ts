// The names of built-in groups and item categories in the reader's language (custom names as typed).
import { useCallback } from 'react';
import type { ConsoleKey } from '../../i18n/I18n';
import { useT } from '../../i18n/I18n';

const BUILT_IN: Record<string, ConsoleKey> = { Owners: 'group.Owners', Administrators: 'group.Administrators', 'MSP Technicians': 'group.MSP Technicians' };
const CATEGORIES = ['login', 'password', 'secure_note', 'credit_card', 'identity', 'server', 'software_license'] as const;

export const ITEM_CATEGORIES = CATEGORIES;

export function useGroupName() {
  const t = useT();
  return useCallback((name: string) => (BUILT_IN[name] ? t(BUILT_IN[name]) : name), [t]);
}

export function useCategoryName() {
  const t = useT();
  return useCallback((category: string) => ((CATEGORIES as readonly string[]).includes(category) ? t(`category.${category}` as ConsoleKey) : category), [t]);
}
