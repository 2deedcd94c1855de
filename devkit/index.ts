/**
 * Development kit shared by test/ and bench/ (neither imports the other): the Python side, the model
 * fixtures trained by the source libraries and the S3-compatible test server (MinIO). Never used by the product itself.
 */
export { PYTHON, python, REPO_ROOT } from './python';
export { FIXTURE_DATE, Fixtures, modelFixtures } from './model-fixtures';
export { ensureMinio, MinioServer, startMinio } from './minio';
export { uploadFolder } from './upload';
export { BRONZE_EVENTS_SCHEMA, BronzeEvent, commitBronze, eventMicros, writeBronzeEvents, writeBronzeFile } from './bronze-events';
