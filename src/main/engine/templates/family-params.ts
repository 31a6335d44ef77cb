// Render parameters chosen for a whole family (settings) or one run (`--param`, the Start dialog) must
// fit every template of that family that declares them: checked once, before anything is written.
import { ShowcaseError } from '../../../shared/index.ts';
import { instantiate } from './instantiate.ts';
import type { TemplateLibrary } from './loader.ts';

/** Rejects a parameter outside the ranges the family's templates declare, naming it. */
export function checkFamilyParams(
  templates: TemplateLibrary,
  family: string,
  params: Record<string, string | number | boolean>,
): void {
  const list = templates.all().filter((t) => t.family === family);
  if (list.length === 0)
    throw new ShowcaseError('invalid_input', `Unknown template family "${family}"`, {
      details: { fields: ['templateParams'] },
    });
  for (const t of list) {
    const relevant = Object.fromEntries(Object.entries(params).filter(([k]) => k in t.params));
    // Required parameters without defaults get a placeholder, so only the given values are judged.
    const filled = Object.fromEntries(
      Object.entries(t.params)
        .filter(([, spec]) => spec.default === undefined)
        .map(([k, spec]) => [
          k,
          spec.type === 'image' ? 'x.png' : spec.type === 'string' ? 'x' : (spec.min ?? 1),
        ]),
    );
    instantiate(t, { ...filled, ...relevant }, { unknownParams: 'ignore' });
  }
}
