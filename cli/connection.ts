/**
 * Connecting to Temporal the SDK's way (@temporalio/envconfig): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TLS settings or a TOML profile; without them, localhost:7233 and namespace `default`.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

function connectConfig() {
  const config = loadClientConnectConfig();
  const connectionOptions = { ...config.connectionOptions, address: config.connectionOptions.address ?? 'localhost:7233' };
  return { connectionOptions, namespace: config.namespace ?? 'default' };
}

export async function connectClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const { connectionOptions, namespace } = connectConfig();
  const connection = await Connection.connect(connectionOptions);
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

export async function connectWorker(): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = connectConfig();
  return { connection: await NativeConnection.connect(connectionOptions), namespace };
}
