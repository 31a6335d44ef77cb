// The pipeline's public surface for other capabilities (the team worker): PNG helpers. The engine's
// composition root and services wire the rest of the pipeline directly.
export { isPng, pngSize, sha256, stripPngMetadata } from './png.ts';
