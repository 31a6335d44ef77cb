import { hostname, userInfo } from 'node:os';

/**
 * Who a change is attributed to when the caller names nobody: `SHOWCASE_OPERATOR` when set (a shared
 * station), else the OS user at this host — the station and the person, as the history shows them.
 */
export function defaultAuthor(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.SHOWCASE_OPERATOR?.trim();
  if (named) return named.slice(0, 120);
  let user = 'operator';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry (a container): the host alone still names the station.
  }
  return `${user}@${hostname()}`.slice(0, 120);
}
