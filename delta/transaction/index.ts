/**
 * The transaction room: write plans (create, append, overwrite, replace a partition), the commit loop
 * (put-if-absent, optimistic concurrency with conflict checks, txn idempotence, checkpoints after commits).
 * Protocol and feature gating it applies live in log/protocol.ts (docs/decisions/delta-rooms.md says why).
 */
export * from './conflicts';
export * from './commit';
export * from './write';
export { ENGINE_INFO } from './engine';
