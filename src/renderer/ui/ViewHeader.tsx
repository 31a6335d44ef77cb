import type { ReactNode } from 'react';
import './ui.css';

/** The top bar of a view: title, a short subtitle and the view's actions. Fixed height. */
export function ViewHeader({
  title,
  subtitle,
  children,
  leading,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children?: ReactNode;
  leading?: ReactNode;
}) {
  return (
    <header className="view-header">
      {leading}
      <div className="view-header-titles">
        <h1 className="view-title">{title}</h1>
        {subtitle && <p className="view-subtitle">{subtitle}</p>}
      </div>
      <div className="view-header-actions">{children}</div>
    </header>
  );
}
