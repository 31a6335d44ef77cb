// Writes resources/object_info/comfyui-sim.json: the simulator's /object_info document for the default
// model inventory, the offline snapshot the template linter checks workflows against.
// Run: node scripts/dump-object-info.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildObjectInfo, defaultModels, objectInfoWire, pyJsonDumps } from '../src/sim/comfyui/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'resources', 'object_info', 'comfyui-sim.json');
mkdirSync(path.dirname(target), { recursive: true });
// Python's json layout (indent 2): FLOAT bounds as 8.0, the seed maximum exact (18446744073709551615).
writeFileSync(target, `${pyJsonDumps(objectInfoWire(buildObjectInfo(defaultModels)), 2)}\n`);
console.log(`wrote ${path.relative(root, target)}`);
