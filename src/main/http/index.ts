export { dispatch, httpStatusFor, isMethodName } from './rpc.ts';
export {
  type ApiEngine,
  type ApiServer,
  type ApiServerOptions,
  type SubmitShowcases,
  SubmitShowcasesSchema,
  signPayload,
  startApiServer,
  UI_CSP,
} from './server.ts';
