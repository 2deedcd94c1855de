/**
 * A missing or corrupt model file fails at once, non-retryable, naming the model URI and the file, wherever it is
 * read: resolving a file path or a registry version, the pinned re-check, session creation; `registerModel`
 * refuses such bytes (and, given the scorer's check, models that break the contract) before writing anything.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ERROR_CODES } from '../../errors';
import { listModels, PinnedModel, registerModel, resolveModel, verifyPinned } from '../../registry';
import { modelFileError } from '../../registry/model-file';
import { checkModelForRegistration, loadScorer } from '../../scoring';
import { tempDir, writeLogisticModel } from './helpers';

type Coded = Error & { retryable?: boolean; hint?: string };

/** Asserts the error's code, that it is not retried, its exact message and, when given, its hint. */
function fails(code: string, message: string | RegExp, hint?: string) {
  return (e: Coded) => {
    assert.equal(e.name, code, e.message);
    assert.equal(e.retryable, false);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    if (hint !== undefined) assert.equal(e.hint, hint);
    return true;
  };
}

describe('registry: missing and corrupt model files', () => {
  const features = ['sessions_30d', 'cart_adds_30d', 'purchases_90d'];
  let dir: string;
  let registryDir: string;
  let n = 0;
  /**
   * A model with bytes of its own in this process: sessions are cached per sha256, and another test file's model
   * with the same weights would be loaded already (the random part of the intercept tells them apart).
   */
  const salt = Math.random();
  const model = (name = `m${++n}`, edit?: Parameters<typeof writeLogisticModel>[2]) =>
    writeLogisticModel(path.join(dir, `${name}.onnx`), { features, intercept: -n - salt }, edit);

  beforeEach(async () => {
    dir = await tempDir('model-file');
    registryDir = path.join(dir, 'models');
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('a file path that does not exist: ModelFileMissing naming the file, with the hint to check the path (not to register)', async () => {
    const file = path.join(dir, 'missing.onnx');
    const checkPath = ERROR_CODES.ModelFileMissing.hints.file;
    await assert.rejects(resolveModel(file, { registryDir }), fails('ModelFileMissing', `model file ${file} does not exist`, checkPath));
    const relative = path.relative(process.cwd(), file);
    await assert.rejects(resolveModel(relative, { registryDir }), fails('ModelFileMissing', `model ${relative} (file ${file}) does not exist`, checkPath));
  });

  it("a registry version whose blob is gone: ModelFileMissing naming the URI and the blob, at resolve, re-check and load", async () => {
    const v = await registerModel(registryDir, await model(), { name: 'propensity', alias: 'champion' });
    const pinned = await resolveModel('models:/propensity@champion', { registryDir });
    const blob = path.join(registryDir, v.blob);
    await fs.rm(blob);
    const missing = fails('ModelFileMissing', `model models:/propensity@champion (file ${blob}) does not exist`, 'register the model again (batch-score model register)');
    await assert.rejects(resolveModel('models:/propensity@champion', { registryDir }), missing);
    await assert.rejects(verifyPinned(pinned, { registryDir }), missing);
    await assert.rejects(loadScorer(pinned), missing);
  });

  it('garbage and truncated bytes: ModelFileCorrupt naming the file, at resolve and at load', async () => {
    const garbage = path.join(dir, 'garbage.onnx');
    await fs.writeFile(garbage, 'this is not an ONNX model\n');
    await assert.rejects(
      resolveModel(garbage, { registryDir }),
      fails('ModelFileCorrupt', /^model file .*garbage\.onnx cannot be decoded as ONNX \(invalid wire type \d at offset \d+\)$/),
    );
    const truncated = path.join(dir, 'truncated.onnx');
    const bytes = await fs.readFile(await model());
    await fs.writeFile(truncated, bytes.subarray(0, bytes.length - 40));
    await assert.rejects(resolveModel(truncated, { registryDir }), fails('ModelFileCorrupt', new RegExp(`^model file ${truncated} cannot be decoded as ONNX \\(.+\\)$`)));
    const empty = path.join(dir, 'empty.onnx');
    await fs.writeFile(empty, '');
    await assert.rejects(resolveModel(empty, { registryDir }), fails('ModelFileCorrupt', `model file ${empty} is not an ONNX model (0 bytes without a graph)`));

    // Pinned bytes that are garbage (the digest matches): session creation names the URI and the file.
    const pinned: PinnedModel = {
      uri: 'models:/garbage/1', name: 'garbage', version: '1', localPath: garbage, features,
      sha256: createHash('sha256').update(await fs.readFile(garbage)).digest('hex'),
    };
    await assert.rejects(loadScorer(pinned), fails('ModelFileCorrupt', /^model models:\/garbage\/1 \(file .*garbage\.onnx\) cannot be decoded as ONNX/));
  });

  it('a graph onnxruntime refuses: ModelFileCorrupt at load, naming the URI, the file and onnxruntime\'s reason', async () => {
    const file = await model('unknown-op', (m) => (m.graph!.node![2].opType = 'NoSuchOperator'));
    const pinned = await resolveModel(file, { registryDir }); // the declarations alone look fine
    await assert.rejects(loadScorer(pinned), fails('ModelFileCorrupt', new RegExp(`^model file ${file} cannot be loaded by onnxruntime \\(.*NoSuchOperator.*\\)$`)));
  });

  it('a folder where the model file belongs is ModelFileCorrupt; a transient I/O error stays retryable', async () => {
    const folder = path.join(dir, 'folder.onnx');
    await fs.mkdir(folder);
    await assert.rejects(resolveModel(folder, { registryDir }), fails('ModelFileCorrupt', `model file ${folder} is a folder, not an ONNX file`));
    // EIO, EMFILE and friends cannot be provoked reliably; the classification is what decides the retry.
    for (const code of ['EIO', 'EMFILE', 'ENFILE', 'EAGAIN', 'ETIMEDOUT']) {
      const err = Object.assign(new Error(`${code}: failure, open '${folder}'`), { code, path: folder });
      const classified = modelFileError(err, { uri: 'models:/m/1', file: folder }) as Coded;
      assert.equal(classified.name, 'Io');
      assert.equal(classified.retryable, true);
      assert.equal(classified.message, `model models:/m/1 (file ${folder}): ${code}: failure, open '${folder}'`);
    }
    const denied = modelFileError(Object.assign(new Error('EACCES'), { code: 'EACCES', path: folder }), { file: folder }) as Coded;
    assert.deepEqual([denied.name, denied.retryable, denied.message, denied.hint], ['ModelFileMissing', false, `model file ${folder} cannot be read by the worker (EACCES)`, ERROR_CODES.ModelFileMissing.hints.unreadableFile]);
  });

  describe('registerModel with the scorer\'s check refuses bad models and writes nothing', () => {
    const register = (file: string, opts: { features?: string[] } = {}) =>
      registerModel(registryDir, file, { name: 'candidate', ...opts, validate: checkModelForRegistration });
    const nothingWritten = async () => {
      assert.deepEqual(await listModels(registryDir), []);
      await assert.rejects(fs.access(registryDir), { code: 'ENOENT' });
    };

    it('garbage bytes: ModelFileCorrupt', async () => {
      const file = path.join(dir, 'garbage.onnx');
      await fs.writeFile(file, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]));
      await assert.rejects(register(file), fails('ModelFileCorrupt', /^model file .*garbage\.onnx cannot be decoded as ONNX/));
      await nothingWritten();
    });

    it('a graph onnxruntime refuses: ModelFileCorrupt', async () => {
      const file = await model('unknown-op', (m) => (m.graph!.node![2].opType = 'NoSuchOperator'));
      await assert.rejects(register(file), fails('ModelFileCorrupt', new RegExp(`^model file ${file} cannot be loaded by onnxruntime`)));
      await nothingWritten();
    });

    it('the wrong number of features (given or in the metadata): ModelContract naming the file', async () => {
      const file = await model();
      await assert.rejects(
        register(file, { features: ['a', 'b'] }),
        fails('ModelContract', `model candidate (file ${file}): input "features" takes 3 features but 2 are mapped (a, b)`),
      );
      const lying = await model('lying', (m) => (m.metadataProps!.find((p) => p.key === 'feature_names')!.value = '["a","b","c","d"]'));
      await assert.rejects(
        register(lying),
        fails('ModelContract', `model candidate (file ${lying}): input "features" takes 3 features but 4 are mapped (a, b, c, d)`),
      );
      await nothingWritten();
    });

    it('a good model is registered; one without feature names too (a run gives them)', async () => {
      const v = await register(await model(), { features: ['x', 'y', 'z'] });
      assert.equal(v.version, '1');
      const unnamed = await model('unnamed', (m) => (m.metadataProps = []));
      assert.equal((await register(unnamed)).version, '2');
      assert.equal((await listModels(registryDir))[0].versions.length, 2);
    });
  });
});
