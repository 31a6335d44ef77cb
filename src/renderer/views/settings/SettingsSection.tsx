// One titled section of the settings form: its intro on one side, its fields in a panel.
import type { ReactNode } from 'react';

export function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
  children: ReactNode;
}) {
  return (
    <section
      className="settings-section"
      aria-labelledby={`settings-${id}`}
      data-testid={`settings-section-${id}`}
    >
      <div className="settings-intro">
        <h2 id={`settings-${id}`}>{title}</h2>
        <p className="muted">{description}</p>
      </div>
      <div className="settings-fields panel">{children}</div>
    </section>
  );
}
