// Settings this studio holds fixed for its session (`serve --demo`, `--comfy` flags) are said where they
// are edited: a saved URL that is silently not used looks like a broken Save.
import { useEffect, useState } from 'react';
import { bridge } from '../../bridge/index.ts';
import { Icon } from '../../ui/Icon.tsx';

export function OverrideNotice({ fields }: { fields: readonly string[] }) {
  const [state, setState] = useState<{ fields: string[]; reason: string | null } | null>(null);
  useEffect(() => {
    void bridge()
      .call('settings.overrides', {})
      .then(setState)
      .catch(() => setState(null));
  }, []);
  const fixed = state?.fields.filter((f) => fields.includes(f)) ?? [];
  if (!state?.reason || fixed.length === 0) return null;
  return (
    <div className="notice" role="note" data-testid="settings-override-notice" data-fields={fixed.join(' ')}>
      <Icon name="info" size={16} />
      <p>{state.reason}</p>
    </div>
  );
}
