/**
 * Scoring errors that retrying cannot fix; each names what the user must fix (table, column, feature, user, file).
 */
import { NonRetryableError } from '../registry/errors';

/** The Silver table lacks a column the model needs. */
export class MissingColumnError extends NonRetryableError {
  constructor(message: string) {
    super('MissingColumnError', message);
  }
}

/** A feature column has a type that cannot become a number (string, date, ...). */
export class FeatureTypeError extends NonRetryableError {
  constructor(message: string) {
    super('FeatureTypeError', message);
  }
}

/** A null or NaN feature value under the `error` null policy, or `impute` without an impute value. */
export class NullFeatureError extends NonRetryableError {
  constructor(message: string) {
    super('NullFeatureError', message);
  }
}

/** The model's inputs or outputs do not fit the contract in ./contract.ts (checked when the model is loaded). */
export class ModelContractError extends NonRetryableError {
  constructor(message: string) {
    super('ModelContractError', message);
  }
}
