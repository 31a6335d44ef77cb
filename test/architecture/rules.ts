// Who may import whom, by folder. The rules name folders (a trailing "/"), files, packages and `node:`
// (every Node built-in), never file lists, so a new file lands under its folder's rule on its own.
// docs/development.md draws the same picture; this table is what the architecture test enforces.

export interface ImportRule {
  /** Short name shown in a violation. */
  name: string;
  /** Files the rule applies to: repo-relative folder prefixes. */
  from: readonly string[];
  /** Files under these prefixes are exempt (the one place a package is allowed). */
  except?: readonly string[];
  /** Imports that break the rule. */
  forbid?: readonly string[];
  /** When set, every import must match one of these (anything else breaks the rule). */
  allowOnly?: readonly string[];
  why: string;
}

/**
 * Folders whose sub-folders are capabilities: one capability imports another only through that
 * one's `index.ts` (its public surface). Files directly in the folder (the composition root) may
 * import anything inside it.
 */
export const capabilityRoots: readonly string[] = ['src/main/engine/'];

/**
 * Folders that belong to a composition root although they sit in a sub-folder: the engine's services
 * (handed the engine context) wire capabilities together like `engine.ts` does, so they may import any
 * capability's files.
 */
export const compositionFolders: readonly string[] = ['src/main/engine/services/'];

const ADAPTERS = ['src/main/electron/', 'src/main/cli/', 'src/main/server/'];

export const importRules: readonly ImportRule[] = [
  {
    name: 'engine stays adapter-free',
    from: ['src/main/engine/'],
    forbid: [
      ...ADAPTERS,
      'src/main/contract/',
      'src/renderer/',
      'src/preload/',
      'src/sim/',
      'electron',
      'react',
    ],
    why: 'the engine runs in the CLI, the HTTP server and the Electron utility process alike; adapters call it, never the reverse, and the simulators are only peers over sockets',
  },
  {
    name: 'contract glue stays adapter-free',
    from: ['src/main/contract/'],
    forbid: [...ADAPTERS, 'src/main/engine/', 'src/renderer/', 'src/sim/', 'electron'],
    why: 'dispatch and the CSP are shared by every adapter, so they may depend on the contract only',
  },
  {
    name: 'renderer is web code',
    from: ['src/renderer/'],
    forbid: ['src/main/', 'src/preload/', 'src/sim/', 'electron', 'node:'],
    why: 'the window talks to the engine through a Bridge (IPC or HTTP) and the contract in src/shared only',
  },
  {
    name: 'shared holds the contract only',
    from: ['src/shared/'],
    allowOnly: ['src/shared/', 'zod'],
    why: 'src/shared is loaded by the renderer, the preload and every Node process: zod and itself, nothing else',
  },
  {
    name: 'preload is a sandboxed script',
    from: ['src/preload/'],
    allowOnly: ['electron', 'src/shared/ipc.ts', 'src/shared/reply.ts'],
    why: 'a sandboxed preload may require electron only; the import-free IPC names are bundled into it',
  },
  {
    name: 'simulators are stand-alone servers',
    from: ['src/sim/'],
    forbid: ['src/main/', 'src/renderer/', 'src/preload/', 'electron'],
    why: 'the simulators play ComfyUI and Ollama: sharing engine code would let both sides agree on a wrong protocol',
  },
  {
    name: 'adapters do not reach into each other',
    from: ['src/main/cli/', 'src/main/server/'],
    forbid: ['src/main/electron/', 'src/renderer/', 'src/preload/', 'electron'],
    why: 'the CLI and the HTTP server run without Electron',
  },
  {
    name: 'electron only in the desktop adapter',
    from: ['src/'],
    except: ['src/main/electron/', 'src/preload/'],
    forbid: ['electron'],
    why: 'Electron cannot load in the CLI, the server or the tests',
  },
  {
    name: 'react only in the renderer',
    from: ['src/'],
    except: ['src/renderer/'],
    forbid: ['react', 'react-dom', 'zustand', '@tanstack/'],
    why: 'UI libraries belong to the window',
  },
];
