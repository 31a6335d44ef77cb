// Simulated backends for the demo and the tests.
export * from './comfyui/index.ts';
export * from './gpu.ts';
export * from './ollama/index.ts';
export * from './render.ts';
