// token-codec.ts imports the codec's error from here; it now lives with the other auth errors.
// Kept only while another branch rewrites token-codec.ts: point it at '../auth.errors' and delete this file.
export { TokenError, TokenProblem } from '../auth.errors';
