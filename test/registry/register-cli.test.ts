/**
 * `batch-score model register` as a user runs it (the real CLI): files onnxruntime cannot load, or whose contract
 * does not hold, are refused with the code and a message naming the file, and the registry stays as it was.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { modelFixtures } from '../../devkit';
import { batchScore, tempDir } from '../support/processes';

describe('registry: batch-score model register refuses files a run could not score (real CLI)', function () {
  this.timeout(300_000);
  let dir: string;
  let models: string;
  const list = () => batchScore(['model', 'list', '--json', '--data-dir', dir]);
  const register = (file: string, ...more: string[]) => batchScore(['model', 'register', file, '--name', 'propensity', '--data-dir', dir, ...more]);

  before(async () => {
    models = (await modelFixtures()).models;
    dir = await tempDir('register-cli');
    assert.match(await register(path.join(models, 'sklearn_lr.onnx'), '--alias', 'champion'), /^registered propensity version 1 \(sha256 [0-9a-f]{64}\), alias champion\n$/);
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  /** Registers `file`, expecting exit code 1 and stderr `code: message…`; the registry listing must not change. */
  async function refused(file: string, code: string, message: RegExp, ...more: string[]) {
    const before = await list();
    await assert.rejects(register(file, ...more), (e: Error & { code?: number; stderr?: string }) => {
      assert.equal(e.code, 1, e.stderr);
      assert.match(e.stderr!, new RegExp(`^batch-score model register: ${code}: ${message.source}`));
      assert.match(e.stderr!, /\n {2}hint: .+\n$/);
      return true;
    });
    assert.equal(await list(), before);
  }

  it('garbage bytes: ModelFileCorrupt', async () => {
    const file = path.join(dir, 'garbage.onnx');
    await fs.writeFile(file, 'PK\u0003\u0004 a zip file, not a model');
    // These bytes happen to parse as a protobuf: it is the missing graph that gives them away.
    await refused(file, 'ModelFileCorrupt', new RegExp(`model file ${file} is not an ONNX model \\(28 bytes without a graph\\)\n`));
    await fs.writeFile(file, Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await refused(file, 'ModelFileCorrupt', new RegExp(`model file ${file} cannot be decoded as ONNX \\(.+\\)\n`));
  });

  it('a truncated file: ModelFileCorrupt', async () => {
    const bytes = await fs.readFile(path.join(models, 'sklearn_rf.onnx'));
    const file = path.join(dir, 'truncated.onnx');
    await fs.writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await refused(file, 'ModelFileCorrupt', new RegExp(`model file ${file} cannot be (decoded as ONNX|loaded by onnxruntime) \\(.+\\)\n`));
  });

  it('a file that does not exist: ModelFileMissing', async () => {
    const file = path.join(dir, 'nowhere.onnx');
    await refused(file, 'ModelFileMissing', new RegExp(`model file ${file} does not exist\n`));
  });

  it('a ZipMap model: ModelContract with the zipmap=False advice', async () => {
    const file = path.join(models, 'sklearn_lr_zipmap.onnx');
    await refused(file, 'ModelContract', new RegExp(`model propensity \\(file ${file}\\): output "output_probability" is seq\\(map\\(int64,tensor\\(float\\)\\)\\) \\(ZipMap\\).*zipmap=False`));
  });

  it('the wrong number of features: ModelContract naming the counts', async () => {
    const file = path.join(models, 'sklearn_lr.onnx');
    await refused(file, 'ModelContract', new RegExp(`model propensity \\(file ${file}\\): input "X" takes 10 features but 3 are mapped \\(a, b, c\\)\n`), '--features', 'a,b,c');
  });

  it('a good model is still accepted, as version 2', async () => {
    assert.match(await register(path.join(models, 'xgboost.onnx')), /^registered propensity version 2 /);
    const listed = JSON.parse(await list()) as { name: string; versions: { version: string }[] }[];
    assert.deepEqual(listed.map((m) => [m.name, m.versions.map((v) => v.version)]), [['propensity', ['1', '2']]]);
  });
});
