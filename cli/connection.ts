/**
 * Connecting to Temporal the SDK's way (@temporalio/envconfig): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TLS settings or a TOML profile; without them, localhost:7233 and namespace `default`.
 * A server that cannot be reached is said once, naming the address, with exit code 3 (cli/exit-codes.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { messageOf } from '../errors';
import { CliError, EXIT } from './exit-codes';

/**
 * How long the CLI waits for the server. The SDK's 10 s default is long for a mistyped address or a dev server
 * that is not started; a reachable server, even a cloud one over TLS, answers in well under a second.
 */
const CONNECT_TIMEOUT = '3s';

function connectConfig() {
  const config = loadClientConnectConfig();
  const connectionOptions = { ...config.connectionOptions, address: config.connectionOptions.address ?? 'localhost:7233' };
  return { connectionOptions, namespace: config.namespace ?? 'default' };
}

/** The address the CLI and the workers connect to (TEMPORAL_ADDRESS, a profile, else localhost:7233). */
export function configuredAddress(): string {
  return connectConfig().connectionOptions.address;
}

function unreachable(address: string, err: unknown): CliError {
  const reason = connectFailureReason(messageOf(err));
  return new CliError(
    `cannot reach the Temporal server at ${address} (${reason}); ` +
      'start a local one with `batch-score dev-server`, or set TEMPORAL_ADDRESS to your server',
    EXIT.unreachable,
  );
}

/**
 * The worker's (Rust) client nests the OS error in a debug dump, e.g. `tonic::transport::Error(Transport,
 * ConnectError(ConnectError("tcp connect error", Os { ..., message: "Connection refused" })))`: keep the innermost
 * message ("Connection refused", "failed to lookup address information: ..."), never the dump itself.
 */
function connectFailureReason(message: string): string {
  const inner = /message: "([^"]+)"/.exec(message) ?? /error: "([^"]+)"/.exec(message) ?? /ConnectError\("([^"]+)"/.exec(message);
  if (inner) return inner[1];
  return /tonic::|Error\(/.test(message) ? 'transport error' : message;
}

export async function connectClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const { connectionOptions, namespace } = connectConfig();
  const connection = await Connection.connect({ connectTimeout: CONNECT_TIMEOUT, ...connectionOptions })
    .catch((err: unknown) => { throw unreachable(connectionOptions.address, err); });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

export async function connectWorker(): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = connectConfig();
  // Loaded here, not at the top: the worker SDK (its native bridge, webpack, rxjs) is half of what `run` and
  // `status` would load otherwise, and only `worker` and `demo` connect this way.
  const { NativeConnection } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const connection = await NativeConnection.connect(connectionOptions)
    .catch((err: unknown) => { throw unreachable(connectionOptions.address, err); });
  return { connection, namespace };
}
