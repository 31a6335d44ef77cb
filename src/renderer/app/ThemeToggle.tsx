import { type ThemeChoice, useTheme } from '../state/theme.ts';
import { Icon, type IconName } from '../ui/Icon.tsx';

const META: Record<ThemeChoice, { icon: IconName; label: string }> = {
  system: { icon: 'monitor', label: 'System theme' },
  light: { icon: 'sun', label: 'Light theme' },
  dark: { icon: 'moon', label: 'Dark theme' },
};

export function ThemeToggle() {
  const choice = useTheme((s) => s.choice);
  const cycle = useTheme((s) => s.cycle);
  const meta = META[choice];
  return (
    <button
      type="button"
      className="theme-toggle"
      onClick={cycle}
      data-testid="theme-toggle"
      data-theme-choice={choice}
      aria-label={`${meta.label} — switch theme`}
      title="Switch between system, light and dark theme"
    >
      <Icon name={meta.icon} size={15} />
      <span>{meta.label}</span>
    </button>
  );
}
