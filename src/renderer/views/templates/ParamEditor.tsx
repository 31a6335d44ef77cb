// Family-wide overrides of the tunable sampler params (CFG, steps, sampler, scheduler, denoise),
// kept inside the ranges the templates declare and saved as `settings.templateParams[family]`.
import { useEffect, useId, useMemo, useState } from 'react';
import type {
  ParamValue,
  SettingsPatch,
  TemplateFamily,
  TemplateParamSpec,
  TemplateSummary,
} from '../../../shared/index.ts';
import { useSettings } from '../../state/settings.ts';
import { useShowcase } from '../../state/showcase.ts';
import { Button, IconButton } from '../../ui/Button.tsx';
import { Field } from '../../ui/Field.tsx';

const TUNABLE = ['cfg', 'steps', 'sampler', 'scheduler', 'denoise'] as const;
const LABELS: Record<(typeof TUNABLE)[number], string> = {
  cfg: 'CFG',
  steps: 'Steps',
  sampler: 'Sampler',
  scheduler: 'Scheduler',
  denoise: 'Denoise (variations)',
};
const HINTS: Record<(typeof TUNABLE)[number], string> = {
  cfg: 'How strictly the image follows the prompt. Qwen-Image likes ~2.5, SDXL ~7.',
  steps: 'More steps: more detail and longer renders.',
  sampler: 'The sampling algorithm.',
  scheduler: 'How noise is removed over the steps.',
  denoise: 'How far a variation may move away from the hero (img2img).',
};

type Draft = Record<string, ParamValue | undefined>;

function specsFor(templates: TemplateSummary[]): Array<[string, TemplateParamSpec, string[]]> {
  const out: Array<[string, TemplateParamSpec, string[]]> = [];
  for (const name of TUNABLE) {
    const users = templates.filter((t) => t.params[name]);
    const spec = users[0]?.params[name];
    if (spec) out.push([name, spec, users.map((t) => t.kind)]);
  }
  return out;
}

function problem(spec: TemplateParamSpec, value: ParamValue | undefined): string | null {
  if (value === undefined) return null;
  if (spec.type === 'combo')
    return spec.options && !spec.options.includes(String(value)) ? 'Not one of the allowed values' : null;
  if (typeof value !== 'number' || Number.isNaN(value)) return 'Enter a number';
  if (spec.type === 'int' && !Number.isInteger(value)) return 'Enter a whole number';
  if (spec.min !== undefined && value < spec.min) return `At least ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `At most ${spec.max}`;
  return null;
}

export function ParamEditor({ family, templates }: { family: TemplateFamily; templates: TemplateSummary[] }) {
  const settings = useSettings((s) => s.settings);
  const saving = useSettings((s) => s.saving);
  const knownPreset = useShowcase((s) => s.data?.gallery.presetId ?? null);
  const specs = useMemo(() => specsFor(templates), [templates]);
  const saved = settings?.templateParams[family];
  const [draft, setDraft] = useState<Draft>({});
  const [preset, setPreset] = useState('');
  const presetListId = useId();

  useEffect(() => {
    setDraft({ ...(saved ?? {}) });
  }, [saved]);
  useEffect(() => {
    setPreset(settings?.presetId ?? '');
  }, [settings?.presetId]);

  if (!settings) return null;

  const invalid = specs.some(([name, spec]) => problem(spec, draft[name]) !== null);
  const cleaned = Object.fromEntries(
    Object.entries(draft).filter((e): e is [string, ParamValue] => e[1] !== undefined),
  );
  const paramsDirty = JSON.stringify(cleaned) !== JSON.stringify(saved ?? {});
  const presetValue = preset.trim() === '' ? null : preset.trim();
  const presetDirty = presetValue !== settings.presetId;

  const onSave = () => {
    const patch: SettingsPatch = {};
    if (paramsDirty) patch.templateParams = { ...settings.templateParams, [family]: cleaned };
    if (presetDirty) patch.presetId = presetValue;
    void useSettings.getState().save(patch, 'Template parameters');
  };

  return (
    <section
      className="param-editor panel"
      aria-labelledby="param-editor-title"
      data-testid="param-editor"
      data-family={family}
    >
      <header className="panel-head">
        <h2 className="panel-title" id="param-editor-title">
          Render settings for <span className="mono">{family}</span>
        </h2>
        <Button
          size="s"
          variant="ghost"
          disabled={!paramsDirty && !presetDirty}
          onClick={() => {
            setDraft({ ...(saved ?? {}) });
            setPreset(settings.presetId ?? '');
          }}
        >
          Revert
        </Button>
        <Button
          size="s"
          variant="primary"
          icon="check"
          busy={saving}
          disabled={invalid || (!paramsDirty && !presetDirty)}
          onClick={onSave}
          data-testid="templates-save"
        >
          Save
        </Button>
      </header>
      <div className="panel-body param-grid">
        {specs.map(([name, spec, kinds]) => {
          const value = draft[name];
          const effective = value ?? spec.default;
          const err = problem(spec, value);
          const overridden = value !== undefined;
          const testId = `template-param-${family}-${name}`;
          const label = LABELS[name as (typeof TUNABLE)[number]];
          const hint = `${HINTS[name as (typeof TUNABLE)[number]]} Template default ${String(spec.default ?? '—')}${kinds.length < templates.length ? `; used by ${kinds.join(', ')}` : ''}.`;
          return (
            <Field
              key={name}
              label={label}
              hint={hint}
              error={err}
              className={overridden ? 'is-overridden' : undefined}
              aside={
                overridden ? (
                  <IconButton
                    icon="refresh"
                    size="s"
                    label={`Reset ${label} to the template default`}
                    onClick={() => setDraft({ ...draft, [name]: undefined })}
                  />
                ) : (
                  <span className="faint param-default-tag">default</span>
                )
              }
            >
              {(id, describedBy) =>
                spec.type === 'combo' ? (
                  <select
                    id={id}
                    className="select"
                    value={String(effective ?? '')}
                    aria-describedby={describedBy}
                    onChange={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
                    data-testid={testId}
                  >
                    {(spec.options ?? []).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <div className="param-number">
                    <input
                      type="range"
                      className="range"
                      min={spec.min}
                      max={spec.max}
                      step={spec.type === 'int' ? 1 : 0.05}
                      value={typeof effective === 'number' ? effective : 0}
                      aria-label={`${label} slider`}
                      tabIndex={-1}
                      onChange={(e) => setDraft({ ...draft, [name]: Number(e.currentTarget.value) })}
                    />
                    <input
                      id={id}
                      type="number"
                      className="input tabular"
                      min={spec.min}
                      max={spec.max}
                      step={spec.type === 'int' ? 1 : 0.05}
                      value={typeof effective === 'number' ? effective : ''}
                      aria-describedby={describedBy}
                      aria-invalid={err !== null}
                      onChange={(e) =>
                        setDraft({
                          ...draft,
                          [name]: e.currentTarget.value === '' ? undefined : e.currentTarget.valueAsNumber,
                        })
                      }
                      data-testid={testId}
                    />
                  </div>
                )
              }
            </Field>
          );
        })}
        <Field
          label="Brand style preset"
          hint="The prompt prefix preset applied to new showcases (leave empty for none)."
        >
          {(id, describedBy) => (
            <>
              <input
                id={id}
                className="input"
                list={presetListId}
                value={preset}
                placeholder="none"
                aria-describedby={describedBy}
                onChange={(e) => setPreset(e.currentTarget.value)}
                data-testid="preset-select"
              />
              <datalist id={presetListId}>
                {[settings.presetId, knownPreset]
                  .filter((p): p is string => Boolean(p))
                  .map((p) => (
                    <option key={p} value={p} />
                  ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
    </section>
  );
}
