// Placeholder until the desktop-app issue (#7) exposes the typed contract through contextBridge.
export {};
