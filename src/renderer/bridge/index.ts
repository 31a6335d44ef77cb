export { bridge, setBridge } from './current.ts';
export { ElectronBridge } from './electron.ts';
export { basename, versionedUrl } from './files.ts';
export { HttpBridge, httpBridgeFromLocation, takeTokenFromLocation } from './http.ts';
export { pickBridge } from './pick.ts';
export type { Bridge, BridgeEvent, BridgeMode, ConnectionState } from './types.ts';
