/**
 * The Bronze contract (docs: helper contracts, README): the public "eCommerce behavior data from multi category
 * store" CSV header, the Bronze events table it lands in (partitioned by the UTC day of event_time), and the
 * quarantine table that keeps every line that could not be read, so nothing is dropped silently.
 */
import { StructType } from '../delta';

/** The header line of the public format, column by column. */
export const EVENT_COLUMNS = [
  'event_time', 'event_type', 'product_id', 'category_id', 'category_code', 'brand', 'price', 'user_id', 'user_session',
] as const;

export const EVENT_HEADER = EVENT_COLUMNS.join(',');

export const EVENT_TYPES = ['view', 'cart', 'purchase'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_DATE = 'event_date';

const field = (name: string, type: string, nullable: boolean) => ({ name, type, nullable, metadata: {} });

export const BRONZE_EVENTS_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    field('event_time', 'timestamp', false),
    field('event_type', 'string', false),
    field('product_id', 'long', false),
    field('category_id', 'long', true),
    field('category_code', 'string', true),
    field('brand', 'string', true),
    field('price', 'double', true),
    field('user_id', 'long', false),
    field('user_session', 'string', true),
    field(EVENT_DATE, 'date', false),
  ],
};

export const QUARANTINE_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    field('file', 'string', false),
    field('file_sha256', 'string', false),
    field('line_number', 'long', false),
    field('reason', 'string', false),
    field('raw_line', 'string', false),
    field('ingested_at', 'timestamp', false),
  ],
};

/** Characters of a malformed line kept in the quarantine table: enough to see what is wrong, never a whole blob. */
export const RAW_LINE_LIMIT = 1000;
