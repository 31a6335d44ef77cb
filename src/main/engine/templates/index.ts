// Workflow templates: loading the library, structural placeholder substitution, lint against object_info.
export { defaultObjectInfoPath } from './app-paths.ts';
export { checkFamilyParams } from './family-params.ts';
export {
  type InstantiatedGraph,
  type InstantiateOptions,
  instantiate,
  resolveParams,
} from './instantiate.ts';
export { lintLibrary, lintTemplate } from './lint.ts';
export {
  analyseTemplate,
  defaultTemplatesDir,
  loadTemplates,
  type PlaceholderUse,
  parseTemplate,
  type Template,
  type TemplateIssue,
  TemplateLibrary,
} from './loader.ts';
export {
  type InputSpec,
  type NodeClassInfo,
  type ObjectInfo,
  parseObjectInfo,
  readObjectInfoFile,
  typesMatch,
} from './object-info.ts';
export { checkParamValue, paramValueFromText } from './params.ts';
export { placeholderName } from './schema.ts';
