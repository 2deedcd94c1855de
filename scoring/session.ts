/**
 * One onnxruntime InferenceSession per model sha256 per process. The bytes are read once, checked against the
 * pinned sha256, and the session is created from those same bytes, so what runs is what was pinned. A file
 * that is gone is ModelFileMissing; bytes that do not decode, or that onnxruntime refuses, are ModelFileCorrupt.
 * The first load's thread setting holds for the process (workers pass the same setting everywhere).
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { messageOf } from '../errors';
import { corruptModelFile, decodeOnnx, ModelFileRef, readModelBytes } from '../registry/model-file';
import { onnxInfo, OnnxModelInfo } from '../registry/onnx-file';
import { checkDigest, digestMismatch, PinnedModel } from '../registry/pinned';

export interface LoadedModel {
  session: ort.InferenceSession;
  info: OnnxModelInfo;
}

export interface SessionOptions {
  /** Threads inside one operator (default 1: workers run one scoring activity per core). */
  intraOpThreads?: number;
}

const sessions = new Map<string, Promise<LoadedModel>>();

export function loadModel(pinned: PinnedModel, opts: SessionOptions = {}): Promise<LoadedModel> {
  let loaded = sessions.get(pinned.sha256);
  if (!loaded) {
    loaded = createSession(pinned, opts);
    sessions.set(pinned.sha256, loaded);
    loaded.catch(() => sessions.delete(pinned.sha256)); // a failed load may succeed on retry (e.g. a file copy finished)
  }
  return loaded;
}

async function createSession(pinned: PinnedModel, opts: SessionOptions): Promise<LoadedModel> {
  const ref: ModelFileRef = { uri: pinned.uri, file: pinned.localPath };
  const bytes = await readModelBytes(ref);
  if (pinned.digestPath) {
    await checkDigest(pinned); // folder digest: ONNX + external data
  } else {
    const found = createHash('sha256').update(bytes).digest('hex');
    if (found !== pinned.sha256) throw digestMismatch(pinned, pinned.localPath, found);
  }
  const info = onnxInfo(decodeOnnx(bytes, ref));
  // External data files are found relative to the model's path, so such models load from the path.
  const session = await createOrtSession(pinned.digestPath ? pinned.localPath : bytes, ref, opts);
  return { session, info };
}

/** An onnxruntime session of a model file's bytes (or of its path); a model onnxruntime refuses is ModelFileCorrupt. */
export async function createOrtSession(
  model: string | Uint8Array,
  ref: ModelFileRef,
  opts: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.intraOpThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  try {
    // Two calls for create's two overloads (a path, or the bytes).
    return typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  } catch (e) {
    // The bytes were read (and match the pin): what onnxruntime refuses is the model itself, and stays refused.
    throw corruptModelFile(ref, `cannot be loaded by onnxruntime (${messageOf(e)})`, e);
  }
}
