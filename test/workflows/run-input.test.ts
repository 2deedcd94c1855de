/**
 * The run input contract (workflows/run-input.ts), as pure functions: every bad input is refused with ONE
 * non-retryable InvalidInput failure whose message names the field, the value and what was expected.
 */
import * as assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { checkBackfillInput, checkScoreUsersInput, closestName, isCalendarDate } from '../../workflows/run-input';

function refusal(check: () => unknown): ApplicationFailure {
  try {
    check();
  } catch (e) {
    assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${e}`);
    assert.equal(e.type, 'InvalidInput');
    assert.equal(e.nonRetryable, true);
    return e;
  }
  assert.fail('the input was accepted');
}

/** One test per case: `check` refuses the input with a message that holds every expected part. */
function itRefuses(workflow: string, check: (input: unknown) => unknown, cases: [string, unknown, string[]][]): void {
  for (const [what, input, messages] of cases) {
    it(`refuses ${what}`, function () {
      const failure = refusal(() => check(input));
      assert.ok(failure.message.startsWith(`invalid ${workflow} input: `), failure.message);
      for (const m of messages) assert.ok(failure.message.includes(m), `expected "${m}" in: ${failure.message}`);
    });
  }
}

describe('run input contract: scoreUsers', function () {
  const refused: [string, unknown, string[]][] = [
    ['a snake_case field, with the camelCase one suggested', { score_date: '2026-03-02' }, ['unknown field score_date: did you mean scoreDate?']],
    ['a field in another case', { ScoreDate: '2026-03-02' }, ['unknown field ScoreDate: did you mean scoreDate?']],
    ['a kebab-case field', { 'model-uri': 'models:/m@champion' }, ['unknown field model-uri: did you mean modelUri?']],
    ['a misspelt field', { predictionTreshold: 0.4 }, ['unknown field predictionTreshold: did you mean predictionThreshold?']],
    ['a field like none, listing the known ones', { colour: 'red' }, ['unknown field colour (known fields: scoreDate, modelUri,']],
    ['an unknown field inside topBuyers', { topBuyers: { fracton: 0.1 } }, ['unknown field topBuyers.fracton: did you mean topBuyers.fraction?']],
    ['a snake_case field inside topBuyers', { topBuyers: { min_probability: 0.5 } }, ['unknown field topBuyers.min_probability: did you mean topBuyers.minProbability?']],
    ['a number given as a string', { predictionThreshold: '0.5' }, ['predictionThreshold must be a number between 0 and 1, got the string "0.5"']],
    ['a word where a number goes', { predictionThreshold: 'abc' }, ['predictionThreshold must be a number between 0 and 1, got the string "abc"']],
    ['unitRows as a string', { unitRows: '1000' }, ['unitRows must be a whole number > 0, got the string "1000"']],
    ['a nested number as a string', { topBuyers: { fraction: '0.1' } }, ['topBuyers.fraction must be a number between 0 and 1, got the string "0.1"']],
    ['a boolean as a string', { allowEmptySnapshot: 'true' }, ['allowEmptySnapshot must be true or false, got the string "true"']],
    ['a boolean as a number', { allowEmptySnapshot: 1 }, ['allowEmptySnapshot must be true or false, got 1']],
    ['a string as a number', { modelUri: 7 }, ['modelUri must be a non-empty string, got 7']],
    ['an empty string', { goldTable: '' }, ['goldTable must be a non-empty string, got the string ""']],
    ['a null field', { silverTable: null }, ['silverTable must be a non-empty string, got null']],
    ['features as one string', { features: 'age,visits' }, ['features must be a non-empty list of column names (strings), got the string "age,visits"']],
    ['features with a number in it', { features: ['age', 3] }, ['features must be a non-empty list of column names (strings), got the array ["age",3]']],
    ['an empty features list', { features: [] }, ['features must be a non-empty list of column names (strings), got the array []']],
    ['topBuyers as a number', { topBuyers: 0.1 }, ['topBuyers must be an object {fraction, minProbability, limit}, got 0.1']],
    ['topBuyers as a list', { topBuyers: [0.1] }, ['topBuyers must be an object {fraction, minProbability, limit}, got the array [0.1]']],
    ['February 30th', { scoreDate: '2026-02-30' }, ['scoreDate must be a calendar date YYYY-MM-DD, got the string "2026-02-30"']],
    ['month 13', { scoreDate: '2026-13-01' }, ['scoreDate must be a calendar date YYYY-MM-DD, got the string "2026-13-01"']],
    ['February 29th of a common year', { scoreDate: '2027-02-29' }, ['scoreDate must be a calendar date YYYY-MM-DD, got the string "2027-02-29"']],
    ['a date with a time', { scoreDate: '2026-03-02T00:00:00Z' }, ['scoreDate must be a calendar date YYYY-MM-DD, got the string "2026-03-02T00:00:00Z"']],
    ['a date without zero padding', { scoreDate: '2026-3-2' }, ['scoreDate must be a calendar date YYYY-MM-DD, got the string "2026-3-2"']],
    ['a date as a number', { scoreDate: 20260302 }, ['scoreDate must be a calendar date YYYY-MM-DD, got 20260302']],
    ['a threshold above 1', { predictionThreshold: 1.5 }, ['predictionThreshold must be a number between 0 and 1, got 1.5']],
    ['a negative threshold', { predictionThreshold: -0.1 }, ['predictionThreshold must be a number between 0 and 1, got -0.1']],
    ['an infinite threshold', { predictionThreshold: Infinity }, ['predictionThreshold must be a number between 0 and 1, got Infinity']],
    ['a NaN threshold', { predictionThreshold: NaN }, ['predictionThreshold must be a number between 0 and 1, got NaN']],
    ['a fraction above 1', { topBuyers: { fraction: 2 } }, ['topBuyers.fraction must be a number between 0 and 1, got 2']],
    ['a negative minProbability', { topBuyers: { minProbability: -1 } }, ['topBuyers.minProbability must be a number between 0 and 1, got -1']],
    ['a fractional limit', { topBuyers: { limit: 2.5 } }, ['topBuyers.limit must be a whole number >= 0, got 2.5']],
    ['zero unitRows', { unitRows: 0 }, ['unitRows must be a whole number > 0, got 0']],
    ['fractional maxParallel', { maxParallel: 1.5 }, ['maxParallel must be a whole number > 0, got 1.5']],
    ['a negative silverVersion', { silverVersion: -1 }, ['silverVersion must be a whole number >= 0, got -1']],
    ['a fractional silverVersion', { silverVersion: 1.5 }, ['silverVersion must be a whole number >= 0, got 1.5']],
    ['a negative positiveColumn', { positiveColumn: -1 }, ['positiveColumn must be a whole number >= 0, got -1']],
    ['an unknown null policy', { nullPolicy: 'drop' }, ['nullPolicy must be one of error, impute, skip, got the string "drop"']],
    ['an input that is a string', '2026-03-02', ['the input must be an object {...}, got the string "2026-03-02"']],
    ['an input that is a list', [{ scoreDate: '2026-03-02' }], ['the input must be an object {...}, got the array [{"scoreDate":"2026-03-02"}]']],
    ['an input that is a number', 7, ['the input must be an object {...}, got 7']],
    [
      'several problems at once, all named',
      { score_date: '2026-03-02', unitRows: '10', topBuyers: { fraction: 3 } },
      ['unknown field score_date: did you mean scoreDate?', 'unitRows must be a whole number > 0, got the string "10"', 'topBuyers.fraction must be a number between 0 and 1, got 3'],
    ],
  ];
  itRefuses('scoreUsers', checkScoreUsersInput, refused);

  it('accepts null, undefined and {} as all defaults', function () {
    assert.deepEqual(checkScoreUsersInput(null), {});
    assert.deepEqual(checkScoreUsersInput(undefined), {});
    assert.deepEqual(checkScoreUsersInput({}), {});
  });

  it('accepts every field with a valid value, and fields left undefined (the CLI sends those)', function () {
    const input = {
      scoreDate: '2028-02-29', modelUri: 'models:/purchase_propensity@champion', features: ['age', 'visits'], outputName: 'probabilities',
      positiveColumn: 1, silverTable: 'silver/features', silverVersion: 0, goldTable: 'gold/p', topBuyersTable: 'gold/t',
      topBuyers: { fraction: 0, minProbability: 1, limit: 0 }, unitRows: 1, maxParallel: 3, nullPolicy: 'skip',
      predictionThreshold: 1, allowEmptySnapshot: false,
    };
    assert.deepEqual(checkScoreUsersInput(input), input);
    assert.deepEqual(checkScoreUsersInput({ scoreDate: '2026-03-02', modelUri: undefined }), { scoreDate: '2026-03-02', modelUri: undefined });
  });
});

describe('run input contract: backfillScores', function () {
  const from = '2026-01-05';
  const to = '2026-03-02';
  const refused: [string, unknown, string[]][] = [
    ['a missing from and to', {}, ['from is required (a calendar date YYYY-MM-DD)', 'to is required (a calendar date YYYY-MM-DD)']],
    ['null (from and to are required)', null, ['from is required']],
    ['from after to', { from: to, to: from }, ['no dates from 2026-03-02 to 2026-01-05: from is after to']],
    ['an impossible from', { from: '2026-02-30', to }, ['from must be a calendar date YYYY-MM-DD, got the string "2026-02-30"']],
    ['a month-13 to', { from, to: '2026-13-01' }, ['to must be a calendar date YYYY-MM-DD, got the string "2026-13-01"']],
    ['everyDays as a string', { from, to, everyDays: '7' }, ['everyDays must be a whole number > 0, got the string "7"']],
    ['zero everyDays', { from, to, everyDays: 0 }, ['everyDays must be a whole number > 0, got 0']],
    ['fractional maxConcurrent', { from, to, maxConcurrent: 0.5 }, ['maxConcurrent must be a whole number > 0, got 0.5']],
    ['a scoreDate (a backfill scores from..to)', { from, to, scoreDate: from }, ['unknown field scoreDate']],
    ['a misspelt field', { from, to, max_concurrent: 2 }, ['unknown field max_concurrent: did you mean maxConcurrent?']],
    ['a bad run field', { from, to, topBuyers: { fraction: '0.1' } }, ['topBuyers.fraction must be a number between 0 and 1, got the string "0.1"']],
    ['over 1000 dates', { from: '2000-01-01', to: '2026-01-01', everyDays: 1 }, ['2000-01-01..2026-01-01 every 1 days is 9498 dates, over 1000: split it']],
  ];
  itRefuses('backfillScores', checkBackfillInput, refused);

  it('accepts a range with run fields, and a single date (from = to)', function () {
    const input = { from, to, everyDays: 14, maxConcurrent: 2, nullPolicy: 'impute', allowEmptySnapshot: true };
    assert.deepEqual(checkBackfillInput(input), input);
    assert.deepEqual(checkBackfillInput({ from, to: from }), { from, to: from });
    assert.deepEqual(checkBackfillInput({ from: '2000-01-01', to: '2026-01-01', everyDays: 10 }), { from: '2000-01-01', to: '2026-01-01', everyDays: 10 });
  });
});

describe('run input contract: helpers', function () {
  it('a calendar date is one that prints back as given', function () {
    for (const ok of ['2026-03-02', '2024-02-29', '2026-12-31', '2026-01-01']) assert.equal(isCalendarDate(ok), true, ok);
    for (const bad of ['2026-02-30', '2026-13-01', '2026-00-10', '2026-04-31', '2025-02-29', '2026-3-2', '26-03-02', '']) assert.equal(isCalendarDate(bad), false, bad);
  });

  it('suggests the closest known name only when it is close', function () {
    const known = ['scoreDate', 'unitRows', 'maxParallel'];
    assert.equal(closestName('score_date', known), 'scoreDate');
    assert.equal(closestName('SCORE-DATE', known), 'scoreDate');
    assert.equal(closestName('unitRow', known), 'unitRows');
    assert.equal(closestName('maxParalel', known), 'maxParallel');
    assert.equal(closestName('date', known), undefined);
    assert.equal(closestName('xy', known), undefined);
  });
});
