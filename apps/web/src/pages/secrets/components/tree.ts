import type { SecretView } from "../../../api/secrets";

export interface TreeFolder {
  kind: "folder";
  name: string;
  /** The folder's prefix without a trailing slash ("team/api"). */
  path: string;
  folders: TreeFolder[];
  secrets: TreeSecret[];
  /** Secrets anywhere below. */
  count: number;
}

export interface TreeSecret {
  kind: "secret";
  name: string;
  path: string;
  secret: SecretView;
}

const emptyFolder = (name: string, path: string): TreeFolder => ({
  kind: "folder",
  name,
  path,
  folders: [],
  secrets: [],
  count: 0,
});

/** Groups secrets by path segment; `query` keeps secrets whose path contains it (any case). */
export function buildTree(secrets: readonly SecretView[], query: string): TreeFolder {
  const root = emptyFolder("", "");
  const needle = query.trim().toLowerCase();
  for (const secret of secrets) {
    if (needle && !secret.path.toLowerCase().includes(needle)) continue;
    const segments = secret.path.split("/");
    const name = segments.pop() ?? secret.path;
    let folder = root;
    folder.count++;
    for (const segment of segments) {
      const path = folder.path ? `${folder.path}/${segment}` : segment;
      let next = folder.folders.find((f) => f.name === segment);
      if (!next) {
        next = emptyFolder(segment, path);
        folder.folders.push(next);
      }
      folder = next;
      folder.count++;
    }
    folder.secrets.push({ kind: "secret", name, path: secret.path, secret });
  }
  sortFolder(root);
  return root;
}

function sortFolder(folder: TreeFolder): void {
  folder.folders.sort((a, b) => a.name.localeCompare(b.name));
  folder.secrets.sort((a, b) => a.name.localeCompare(b.name));
  for (const f of folder.folders) sortFolder(f);
}

/** Every folder prefix of `path` ("a/b/c" → "a", "a/b"), to expand the way to a selection. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split("/");
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join("/"));
}
