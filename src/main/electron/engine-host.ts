// Entry of the engine's utility process (built to out/main/engine-host.js, forked by main.ts with
// `utilityProcess.fork`). SQLite, the scheduler and the backend clients run here, off the main
// process, so a long query or a burst of events never stalls window management or IPC.
// It does not import 'electron': `process.parentPort` is a global Electron gives utility processes.
import { serveEngine } from './engine-service.ts';

interface ParentPortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  console.error('engine-host must be started by the desktop app (Electron utilityProcess.fork)');
  process.exit(1);
}

serveEngine(
  {
    postMessage: (message) => parentPort.postMessage(message),
    onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
  },
  { onClosed: () => process.exit(0) },
);
