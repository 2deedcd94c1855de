/** The error vocabulary shared by every layer: codes and their retry rule, the error class, redaction. */
export { ERROR_CODES, ErrorCode, ErrorCodeInfo, errorCodeInfo, HintCase, hintFor, isErrorCode } from './codes';
export { BatchScoreError, messageOf } from './batch-score-error';
export { redact } from './redact';
