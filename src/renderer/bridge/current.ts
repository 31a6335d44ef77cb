// The bridge chosen at start-up. Stores reach it through `bridge()`; components never import a concrete bridge.
import type { Bridge } from './types.ts';

let current: Bridge | null = null;

export function setBridge(bridge: Bridge): void {
  current = bridge;
}

export function bridge(): Bridge {
  if (current === null) throw new Error('bridge used before start-up picked one');
  return current;
}
