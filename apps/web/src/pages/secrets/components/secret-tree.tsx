import { useEffect, useMemo, useState } from "react";
import type { SecretView } from "../../../api/secrets";
import { Field } from "../../../components/field";
import { ChevronIcon, FolderIcon, KeyIcon } from "../../../components/vault-icons";
import { Link } from "../../../lib/router";
import { ancestorsOf, buildTree, type TreeFolder } from "./tree";

interface Props {
  secrets: readonly SecretView[];
  selected: string | null;
}

export const secretHref = (path: string) => `/secrets/${path.split("/").map(encodeURIComponent).join("/")}`;

/** Secrets grouped into folders by path segment, with a search box that filters and expands. */
export function SecretTree({ secrets, selected }: Props) {
  const [query, setQuery] = useState("");
  const tree = useMemo(() => buildTree(secrets, query), [secrets, query]);
  // Small vaults open fully; bigger ones start with the top level only.
  const [expanded, setExpanded] = useState<Set<string>>(() =>
    secrets.length <= 40 ? new Set(allFolders(buildTree(secrets, ""))) : new Set(),
  );

  useEffect(() => {
    if (!selected) return;
    setExpanded((current) => {
      const missing = ancestorsOf(selected).filter((p) => !current.has(p));
      return missing.length === 0 ? current : new Set([...current, ...missing]);
    });
  }, [selected]);

  const toggle = (path: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  const searching = query.trim() !== "";
  const isOpen = (path: string) => searching || expanded.has(path);

  return (
    <div className="secret-tree">
      <Field
        label="Search secrets"
        type="search"
        placeholder="Filter by path…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
      {tree.count === 0 ? (
        <p className="empty">
          {searching ? `No secret path contains “${query.trim()}”.` : "No secrets yet."}
        </p>
      ) : (
        <nav aria-label="Secret paths">
          <FolderContents folder={tree} selected={selected} isOpen={isOpen} onToggle={toggle} depth={0} />
        </nav>
      )}
    </div>
  );
}

function allFolders(folder: TreeFolder): string[] {
  return folder.folders.flatMap((f) => [f.path, ...allFolders(f)]);
}

interface ContentsProps {
  folder: TreeFolder;
  selected: string | null;
  isOpen: (path: string) => boolean;
  onToggle: (path: string) => void;
  depth: number;
}

function FolderContents({ folder, selected, isOpen, onToggle, depth }: ContentsProps) {
  return (
    <ul className="tree-list">
      {folder.folders.map((f) => {
        const open = isOpen(f.path);
        return (
          <li key={`folder:${f.path}`}>
            <button
              type="button"
              className="tree-row tree-folder"
              style={{ paddingLeft: 8 + depth * 14 }}
              aria-expanded={open}
              aria-label={`Folder ${f.path}`}
              onClick={() => onToggle(f.path)}
            >
              <span className={open ? "tree-chevron is-open" : "tree-chevron"}>
                <ChevronIcon />
              </span>
              <FolderIcon />
              <span className="tree-name">{f.name}</span>
              <span className="tree-count">{f.count}</span>
            </button>
            {open ? (
              <FolderContents
                folder={f}
                selected={selected}
                isOpen={isOpen}
                onToggle={onToggle}
                depth={depth + 1}
              />
            ) : null}
          </li>
        );
      })}
      {folder.secrets.map((s) => (
        <li key={`secret:${s.path}`}>
          <Link
            to={secretHref(s.path)}
            className="tree-row tree-secret"
            style={{ paddingLeft: 8 + depth * 14 + 18 }}
            aria-current={selected === s.path ? "page" : undefined}
            aria-label={s.path}
            title={s.path}
          >
            <KeyIcon />
            <span className="tree-name">{s.name}</span>
            <span className="tree-version">v{s.secret.version}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
