// "Export for channels": pick the channels, export the selected galleries through `channels.export`
// and read the pass rate per channel (each check measured on the written files).
import { useEffect } from 'react';
import { channelNames } from '../../../shared/index.ts';
import { useChannels } from '../../state/channels.ts';
import { Button } from '../../ui/Button.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import './channels.css';

export function ChannelDialog({
  galleryIds,
  onClose,
}: {
  galleryIds: readonly string[] | null;
  onClose(): void;
}) {
  const rules = useChannels((s) => s.rules);
  const chosen = useChannels((s) => s.chosen);
  const render = useChannels((s) => s.render);
  const exporting = useChannels((s) => s.exporting);
  const last = useChannels((s) => s.last);
  const error = useChannels((s) => s.error);
  const open = galleryIds !== null;

  useEffect(() => {
    if (open) void useChannels.getState().loadRules();
  }, [open]);

  const count = galleryIds?.length ?? 0;
  return (
    <Dialog
      open={open}
      title={`Export ${count} galler${count === 1 ? 'y' : 'ies'} for channels`}
      onClose={onClose}
      testId="channel-dialog"
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button
            variant="primary"
            icon="wand"
            busy={exporting}
            disabled={count === 0 || chosen.size === 0}
            onClick={() => void useChannels.getState().exportGalleries(galleryIds ?? [])}
            data-testid="channel-export"
          >
            Export
          </Button>
        </>
      }
    >
      <div className="channel-options">
        {channelNames.map((name) => {
          const rule = rules?.find((r) => r.channel === name);
          return (
            <label key={name} className="channel-option">
              <input
                type="checkbox"
                className="checkbox"
                checked={chosen.has(name)}
                onChange={() => useChannels.getState().toggle(name)}
                data-testid={`channel-${name}`}
              />
              <span>
                {rule?.label ?? name}
                {rule && (
                  <span className="faint">
                    {' '}
                    · {rule.frame.width}×{rule.frame.height}
                    {rule.whiteMain ? ' · main image on pure white' : ''}
                  </span>
                )}
              </span>
            </label>
          );
        })}
        <label className="channel-option">
          <input
            type="checkbox"
            className="checkbox"
            checked={render}
            onChange={(e) => useChannels.getState().setRender(e.currentTarget.checked)}
          />
          <span>Render a white-background main image (ComfyUI) when the hero is not on white</span>
        </label>
      </div>
      {error && <ErrorNote error={error} context="Exporting for channels" compact />}
      {last && (
        <ul className="channel-summary" data-testid="channel-summary" aria-live="polite">
          {last.summary.map((s) => (
            <li key={s.channel}>
              <b>{s.channel}</b>: {s.passed}/{s.total} products pass
              {s.fixed > 0 ? ` · ${s.fixed} images auto-fixed` : ''}
              {s.topFailure ? ` · most failures: ${s.topFailure.check} × ${s.topFailure.count}` : ''}
            </li>
          ))}
          {last.skipped.map((s) => (
            <li key={s.galleryId} className="publish-failed-hint">
              skipped {s.galleryId}: {s.reason}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
