/** Scoring: the model contract, feature mapping and the batch scorer. Knows nothing of Temporal. */
export { loadScorer, Scorer, ScorerOptions, ScoredBatch, ScoreOptions, MAX_SUB_BATCH_ROWS } from './scorer';
export { scoreUnit, ScoreUnitOptions, ScoringUnit, UnitFile, UnitSegment, checkColumns, isFeatureType } from './unit';
export { modelContract, ModelContract, ContractOptions } from './contract';
export { checkModelForRegistration } from './registration-check';
export { NullPolicy } from './matrix';
export { MissingColumnError, FeatureTypeError, NullFeatureError, ModelContractError, ModelOutputError } from './errors';
