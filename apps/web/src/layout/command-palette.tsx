import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { SearchIcon } from "../components/icons";

export interface Command {
  id: string;
  label: string;
  group: string;
  keywords?: string;
  run: () => void;
}

export function filterCommands(commands: readonly Command[], query: string): Command[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...commands];
  const first = terms[0] ?? "";
  return commands
    .filter((c) => {
      const haystack = `${c.label} ${c.group} ${c.keywords ?? ""}`.toLowerCase();
      return terms.every((t) => haystack.includes(t));
    })
    .sort((a, b) => rank(a, first) - rank(b, first));
}

function rank(command: Command, term: string): number {
  const label = command.label.toLowerCase();
  if (label.startsWith(term)) return 0;
  if (label.includes(term)) return 1;
  return 2;
}

interface PaletteProps {
  commands: readonly Command[];
  onClose: () => void;
}

/** Ctrl/Cmd+K: a combobox over pages and actions. Mount it only while open. */
export function CommandPalette({ commands, onClose }: PaletteProps) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const results = useMemo(() => filterCommands(commands, query), [commands, query]);
  const optionId = (i: number) => `${listId}-option-${i}`;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    inputRef.current?.focus();
    return () => previous?.focus();
  }, []);

  useEffect(() => {
    document.getElementById(optionId(active))?.scrollIntoView({ block: "nearest" });
  });

  const run = (command: Command | undefined) => {
    if (!command) return;
    onClose();
    command.run();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const count = results.length;
    if (event.key === "Escape") onClose();
    else if (event.key === "ArrowDown" && count > 0) setActive((i) => (i + 1) % count);
    else if (event.key === "ArrowUp" && count > 0) setActive((i) => (i - 1 + count) % count);
    else if (event.key === "Enter") run(results[active]);
    else if (event.key !== "Tab") return;
    // Tab is swallowed too: focus stays in the palette while it is open.
    event.preventDefault();
  };

  return (
    <>
      {/* A pointer-only dismiss target; keyboard users close with Escape. */}
      <div className="palette-backdrop" aria-hidden="true" onMouseDown={onClose} />
      <div className="palette-layer">
        <div className="palette" role="dialog" aria-modal="true" aria-label="Command palette">
          <div className="palette-search">
            <SearchIcon />
            <input
              ref={inputRef}
              role="combobox"
              aria-label="Search pages and commands"
              aria-expanded="true"
              aria-controls={listId}
              aria-autocomplete="list"
              aria-activedescendant={results.length > 0 ? optionId(active) : undefined}
              placeholder="Jump to a page or run a command…"
              autoComplete="off"
              spellCheck={false}
              value={query}
              onKeyDown={onKeyDown}
              onChange={(e) => {
                setQuery(e.target.value);
                setActive(0);
              }}
            />
            <kbd>Esc</kbd>
          </div>
          <div id={listId} role="listbox" aria-label="Results" className="palette-results">
            {results.map((command, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox drives keyboard selection (aria-activedescendant)
              <div
                key={command.id}
                id={optionId(i)}
                role="option"
                tabIndex={-1}
                aria-selected={i === active}
                className="palette-option"
                onMouseMove={() => setActive(i)}
                onClick={() => run(command)}
              >
                <span>{command.label}</span>
                <span className="palette-group">{command.group}</span>
              </div>
            ))}
          </div>
          {results.length === 0 ? <p className="palette-empty">No matches for “{query}”.</p> : null}
        </div>
      </div>
    </>
  );
}
