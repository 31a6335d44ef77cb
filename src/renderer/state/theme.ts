// Light / dark / follow the system. The choice is stored locally; `system` tracks prefers-color-scheme in CSS.
import { create } from 'zustand';

export const themeChoices = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof themeChoices)[number];

const KEY = 'showcase.theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return (themeChoices as readonly string[]).includes(value ?? '') ? (value as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

function apply(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

interface ThemeState {
  choice: ThemeChoice;
  cycle(): void;
}

export const useTheme = create<ThemeState>()((set, get) => ({
  choice: 'system',
  cycle() {
    const next = themeChoices[(themeChoices.indexOf(get().choice) + 1) % themeChoices.length] ?? 'system';
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // private mode: the choice lasts for this session only
    }
    apply(next);
    set({ choice: next });
  },
}));

export function startTheme(): void {
  const choice = stored();
  apply(choice);
  useTheme.setState({ choice });
}
