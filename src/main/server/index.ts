export {
  type ApiEngine,
  type ApiServer,
  type ApiServerOptions,
  type SubmitShowcases,
  SubmitShowcasesSchema,
  signPayload,
  startApiServer,
} from './server.ts';
export { httpStatusFor } from './status.ts';
