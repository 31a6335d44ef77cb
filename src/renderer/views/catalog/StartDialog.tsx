// "Start selected" / "Start all": says what is about to happen, lets the operator pick the preset and
// this run's render parameters (checked against the templates' ranges by the engine), then opens
// what was started: the showcase of a single product, the Queue for several. Where the images render:
// this workstation's ComfyUI servers, or the team's GPUs through the team queue (offered only when the
// team database and bucket are set; the reason is shown when not).
import { useEffect, useState } from 'react';
import type { ParamValue, StartOptions } from '../../../shared/index.ts';
import { useCatalog } from '../../state/catalog.ts';
import { useNav } from '../../state/nav.ts';
import { parseParams, usePresets } from '../../state/presets.ts';
import { useSettings } from '../../state/settings.ts';
import { pollTeam, teamChoice, useTeam } from '../../state/team.ts';
import { reportError } from '../../state/toasts.ts';
import { Button } from '../../ui/Button.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field } from '../../ui/Field.tsx';
import { plural } from '../../ui/format.ts';

export function StartDialog({ productIds, onClose }: { productIds: string[] | null; onClose(): void }) {
  const presets = usePresets((s) => s.presets);
  const [presetId, setPresetId] = useState('');
  const [params, setParams] = useState('');
  const [paramsError, setParamsError] = useState<string | null>(null);
  const [wanted, setWanted] = useState<NonNullable<StartOptions['target']>>('local');
  const open = productIds !== null;
  const teamStatus = useTeam((s) => s.status);
  const s3Set = useSettings((s) => (s.settings ? s.settings.s3 !== null : null));
  const team = teamChoice(teamStatus, s3Set);
  // A team that stops answering while the dialog is open takes the choice back to this workstation.
  const target = wanted === 'team' && team.available ? 'team' : 'local';

  useEffect(() => {
    if (!open) return;
    if (!usePresets.getState().loaded) void usePresets.getState().load();
    void useSettings.getState().load();
    return pollTeam();
  }, [open]);

  const confirm = async () => {
    if (!productIds) return;
    let parsed: Record<string, ParamValue> = {};
    try {
      parsed = parseParams(params);
    } catch (err) {
      setParamsError(err instanceof Error ? err.message : String(err));
      return;
    }
    setParamsError(null);
    const galleryIds = await useCatalog.getState().start(productIds, {
      ...(presetId ? { presetId } : {}),
      ...(Object.keys(parsed).length > 0 ? { params: parsed } : {}),
      target,
    });
    if (galleryIds === null) return;
    onClose();
    // Take the operator to what was started.
    if (galleryIds.length === 1 && galleryIds[0]) useNav.getState().openShowcase(galleryIds[0]);
    else useNav.getState().go('queue');
  };

  return (
    <Dialog
      open={open}
      title={`Start ${plural(productIds?.length ?? 0, 'showcase')}?`}
      onClose={onClose}
      testId="start-confirm"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            icon="play"
            data-testid="start-confirm-ok"
            onClick={() => void confirm().catch((err: unknown) => reportError('Starting showcases', err))}
          >
            Start {productIds?.length.toLocaleString()}
          </Button>
        </>
      }
    >
      <p>
        Every product gets its copy written and seven images rendered. The queue batches the work across your
        backends; you can pause or cancel it from the Queue view at any time.
      </p>
      <div className="start-options">
        <fieldset className="start-target" data-testid="start-target" data-target={target}>
          <legend className="field-label">Render on</legend>
          <label className="start-target-option">
            <input
              type="radio"
              name="start-target"
              value="local"
              checked={target === 'local'}
              onChange={() => setWanted('local')}
              data-testid="start-target-local"
            />
            <span>This workstation</span>
          </label>
          <label className={`start-target-option${team.available ? '' : ' is-disabled'}`}>
            <input
              type="radio"
              name="start-target"
              value="team"
              checked={target === 'team'}
              disabled={!team.available}
              aria-describedby="start-target-team-why"
              onChange={() => setWanted('team')}
              data-testid="start-target-team"
            />
            <span>The team&rsquo;s GPUs</span>
          </label>
          <p
            id="start-target-team-why"
            className={`field-hint${team.reason ? ' start-target-reason' : ''}`}
            data-testid={team.reason ? 'start-target-team-reason' : 'start-target-team-note'}
          >
            {team.reason ??
              (target === 'team'
                ? `${team.note ?? ''} The copy is still written here; the images go to the team queue.`.trim()
                : team.note)}
          </p>
        </fieldset>
        <Field label="Brand preset">
          {(id) => (
            <select
              id={id}
              className="input"
              value={presetId}
              onChange={(e) => setPresetId(e.currentTarget.value)}
              data-testid="start-preset"
            >
              <option value="">The default from Settings</option>
              {presets.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Render parameters for this run"
          hint="Optional, one per line: cfg=3.5, steps=28, sampler=euler, width=1024 …"
          error={paramsError}
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              className="textarea mono"
              rows={3}
              value={params}
              aria-describedby={describedBy}
              onChange={(e) => setParams(e.currentTarget.value)}
              data-testid="start-params"
            />
          )}
        </Field>
      </div>
    </Dialog>
  );
}
