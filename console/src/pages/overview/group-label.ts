import type { TFunction } from 'i18next';
import type { Split } from './overview-range';

/** How a group of the split shows: its value, or what a null group means for that split. */
export function groupLabel(t: TFunction<'overview'>, split: Split | 'none', group: string | null, other = false): string {
  if (other) return t('group.other');
  if (group !== null) return split === 'none' ? t('group.all') : group;
  switch (split) {
    case 'key':
      return t('group.noKey');
    case 'project':
      return t('group.noProject');
    case 'agent':
      return t('group.noAgent');
    default:
      return t('group.none');
  }
}
