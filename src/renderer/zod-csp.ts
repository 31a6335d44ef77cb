// Must be the first import of the entry: the UI runs under `script-src 'self'` (no eval), so zod must
// not probe `new Function` (the probe is caught, but the CSP still reports a violation).
import { z } from 'zod';

z.config({ jitless: true });
