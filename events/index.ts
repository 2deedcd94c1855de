/**
 * Bronze: the public clickstream CSV format, its ingest into the Bronze events table, and the quarantine of
 * lines that cannot be read. The only entrance to events/ for the rest of the project.
 */
export { BRONZE_EVENTS_SCHEMA, EVENT_COLUMNS, EVENT_DATE, EVENT_HEADER, EVENT_TYPES, EventType, QUARANTINE_SCHEMA, RAW_LINE_LIMIT } from './bronze-schema';
export { DEFAULT_BUFFER_ROWS, ingestAppId, ingestEvents, IngestedFile, IngestOptions, IngestResult } from './ingest';
export { QuarantinedLine } from './quarantine';
