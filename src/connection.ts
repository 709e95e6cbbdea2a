// The connection API, one concept per file under ./connection; many modules import it from here.
export { connect, ConnectOptions, EXACT_SESSION_SETTINGS } from './connection/connect';
export { parseConnectionString, isPostgresUrl } from './connection/connection-string';
export { ConnParams, isConninfo, parseConninfo } from './connection/conninfo';
export { connectionPassword, describeConnection, maskSecrets, scrubSecrets } from './connection/describe-connection';
export { libpqEnv } from './connection/libpq-env';
export { defaultPasswordPrompt, PasswordPrompt, ttyPasswordPrompt } from './connection/password-prompt';
export { passwordFromPgpass } from './connection/pgpass';
export { DatabaseConnection, resolveConnection, ResolvedConnection, ResolveConnectionOptions } from './connection/resolve-connection';
export { lookupService, serviceFiles } from './connection/service-file';
export { sslAttempts, SslAttempt } from './connection/ssl-config';
