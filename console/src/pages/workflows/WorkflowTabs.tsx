import { useRef } from 'react';

/**
 * WAI-ARIA tabs, as the agent page has them: one tab stop, arrow keys (and Home, End) move between them.
 * Not react-aria's, whose press handling injects a style element the console's CSP refuses.
 */
export function WorkflowTabs<Tab extends string>({
  tabs,
  selected,
  onSelect,
  label,
  nameOf,
}: {
  tabs: readonly Tab[];
  selected: Tab;
  onSelect: (tab: Tab) => void;
  label: string;
  nameOf: (tab: Tab) => string;
}) {
  const buttons = useRef(new Map<Tab, HTMLButtonElement>());
  const move = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (tab === undefined) return;
    onSelect(tab);
    buttons.current.get(tab)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tab-list">
      {tabs.map((tab, index) => (
        <button
          key={tab}
          ref={(element) => {
            if (element) buttons.current.set(tab, element);
            else buttons.current.delete(tab);
          }}
          type="button"
          role="tab"
          id={`workflow-tab-${tab}`}
          aria-controls={`workflow-panel-${tab}`}
          aria-selected={selected === tab}
          tabIndex={selected === tab ? 0 : -1}
          className="tab"
          onClick={() => onSelect(tab)}
          onKeyDown={(event) => {
            const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
            if (to === undefined) return;
            event.preventDefault();
            move(to);
          }}
        >
          {nameOf(tab)}
        </button>
      ))}
    </div>
  );
}
