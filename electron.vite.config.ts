import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// Native and server-only modules stay external: they are loaded by Node at run time, never bundled.
const nodeExternals = ['better-sqlite3', 'sharp', 'pg', 'pg-native', 'minio', 'nodemailer', 'undici', 'ws'];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // engine-host: the utilityProcess entry that runs the Engine (SQLite) off the main process.
        input: {
          index: resolve('src/main/index.ts'),
          'engine-host': resolve('src/main/electron/engine-host.ts'),
        },
        external: nodeExternals,
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload is run as a CommonJS script: with "type": "module" electron-vite would
        // emit ESM (index.mjs), which `sandbox: true` cannot load. `.cjs` keeps Node from reading it as ESM too.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
