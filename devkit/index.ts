/**
 * Development kit shared by test/ and bench/ (neither imports the other): the Python side and the model
 * fixtures trained by the source libraries. Never used by the product itself.
 */
export { PYTHON, python, REPO_ROOT } from './python';
export { FIXTURE_DATE, Fixtures, modelFixtures } from './model-fixtures';
