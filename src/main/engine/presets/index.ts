// Prompt management: brand presets and each showcase's prompts, with history, diffs and rollback that
// re-renders only what a change affects.
export { defaultAuthor } from './author.ts';
export { canonicalJson, changedFields, fieldDiff } from './diff.ts';
export { type BaseHandlers, type EditLoopHandlers, editLoopHandlers } from './handlers.ts';
export type { EditLoopHost, HostListener } from './host.ts';
export { type PresetChanges, type PresetDraft, PresetHistory, presetIdFromName } from './presets.ts';
export { PromptHistory } from './prompts.ts';
export { affectedKinds, rerenderAffected } from './rerender.ts';
