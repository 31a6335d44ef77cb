import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon.tsx';
import './ui.css';

export function EmptyState({
  icon,
  title,
  children,
  testId,
}: {
  icon: IconName;
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty" data-testid={testId}>
      <div className="empty-icon">
        <Icon name={icon} size={26} />
      </div>
      <h3 className="empty-title">{title}</h3>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}
