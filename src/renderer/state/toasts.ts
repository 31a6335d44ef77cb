import { create } from 'zustand';
import { type ErrorInfo, errorInfo } from './errors.ts';

export type ToastKind = 'success' | 'info' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  hint?: string;
  /** Stays until dismissed (errors always do). */
  sticky?: boolean;
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
}

let nextId = 1;
const MAX_TOASTS = 4;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(toast) {
    const id = nextId++;
    set({ toasts: [...get().toasts, { ...toast, id }].slice(-MAX_TOASTS) });
    // Errors stay until dismissed: an operator may be looking at another screen when one arrives.
    if (toast.kind !== 'error' && !toast.sticky) setTimeout(() => get().dismiss(id), 4000);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export function notify(kind: ToastKind, title: string, message?: string): void {
  useToasts.getState().push({ kind, title, ...(message === undefined ? {} : { message }) });
}

/** Shows an error toast ("<what we tried>: <why>", plus what to do) and returns the details. */
export function reportError(action: string, err: unknown): ErrorInfo {
  const info = errorInfo(err);
  useToasts
    .getState()
    .push({ kind: 'error', title: `${action} — ${info.title}`, message: info.message, hint: info.hint });
  return info;
}
