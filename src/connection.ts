// The connection API; each concept lives in its own file under ./connection. Many modules import from here.
export { connect, type ConnectOptions, EXACT_SESSION_SETTINGS } from './connection/connect';
export { describeConnection, maskSecrets, scrubSecrets } from './connection/describe-connection';
export { libpqEnv } from './connection/libpq-env';
export { type PasswordPrompt } from './connection/password-prompt';
export { type DatabaseConnection, resolveConnection, type ResolvedConnection, type ResolveConnectionOptions } from './connection/resolve-connection';
