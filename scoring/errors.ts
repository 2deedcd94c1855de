/**
 * Scoring errors that retrying cannot fix, as words of the error vocabulary (errors/codes.ts); each names what
 * the user must fix (table, column, feature, user, file).
 */
import { BatchScoreError } from '../errors';

/** The Silver table lacks a column the model needs. */
export class MissingColumnError extends BatchScoreError {
  constructor(message: string) {
    super('SilverMissingColumn', message);
  }
}

/** A feature column has a type that cannot become a number (string, date, ...). */
export class FeatureTypeError extends BatchScoreError {
  constructor(message: string) {
    super('SilverColumnType', message);
  }
}

/** A null, NaN or infinite feature value under the `error` null policy, or `impute` without an impute value. */
export class NullFeatureError extends BatchScoreError {
  constructor(message: string) {
    super('FeatureNotFinite', message);
  }
}

/** The model's inputs or outputs do not fit the contract in ./contract.ts (checked when the model is loaded). */
export class ModelContractError extends BatchScoreError {
  constructor(message: string) {
    super('ModelContract', message);
  }
}

/** The model's output is not a probability (outside [0, 1], or NaN): a regression model, or the wrong output. */
export class ModelOutputError extends BatchScoreError {
  constructor(message: string) {
    super('ModelOutputNotProbability', message);
  }
}
