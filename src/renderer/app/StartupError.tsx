import type { ErrorInfo } from '../state/errors.ts';
import { ErrorNote } from '../ui/ErrorNote.tsx';
import './app.css';

export function StartupError({ error }: { error: ErrorInfo }) {
  return (
    <main className="startup-error" data-testid="startup-error">
      <div className="brand-mark large" aria-hidden="true" />
      <h1>Product Showcase Studio could not start</h1>
      <ErrorNote error={error} />
    </main>
  );
}
