import type { SecretVersion } from "../../../api/secrets";
import { Dialog } from "../../../components/dialog";
import { formatDateTime } from "../../../lib/format";
import { MetadataTable } from "./metadata-table";
import { RevealPanel } from "./reveal-panel";
import { useReveal } from "./use-reveal";

/** One version: its metadata, and its value after a confirmation. */
export function VersionDialog({
  path,
  version,
  isAdmin,
  onClose,
}: {
  path: string;
  version: SecretVersion;
  isAdmin: boolean;
  onClose: () => void;
}) {
  const reveal = useReveal(path, version.version);
  return (
    <Dialog
      title={`Version ${version.version} of ${path}`}
      description={`Written ${formatDateTime(version.created_at)}${version.current ? " (current)" : ""}.`}
      onClose={onClose}
      wide
    >
      <div className="stack">
        <RevealPanel
          path={path}
          version={version.version}
          state={reveal.state}
          onReveal={reveal.reveal}
          onHide={reveal.hide}
          onDecided={reveal.onDecided}
        />
        <h3 className="section-title">Metadata</h3>
        <MetadataTable metadata={version.metadata} isAdmin={isAdmin} />
      </div>
    </Dialog>
  );
}
