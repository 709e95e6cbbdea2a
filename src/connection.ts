// The connection API; each concept lives in its own file under ./connection. Many modules import from here.
export { connect, ConnectOptions, EXACT_SESSION_SETTINGS } from './connection/connect';
export { describeConnection, maskSecrets, scrubSecrets } from './connection/describe-connection';
export { libpqEnv } from './connection/libpq-env';
export { PasswordPrompt } from './connection/password-prompt';
export { DatabaseConnection, resolveConnection, ResolvedConnection, ResolveConnectionOptions } from './connection/resolve-connection';
