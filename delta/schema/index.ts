/**
 * The schema room: Delta data types and schemas (parsing, comparison) and the Delta value form of each
 * primitive type in batches (timestamps, dates, decimals, partition values, JSON). Every other room builds
 * on it; it imports nothing from them.
 */
export * from './schema';
export * from './values';
export * from './primitive-types';
