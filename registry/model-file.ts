/**
 * Reading a model file, with the failure named: every place that reads model bytes (resolving a URI, the
 * local registry, the pinned re-check, session creation, `model register`) goes through here, so a file that is
 * missing or not an ONNX model fails at once, non-retryable, naming the model URI and the file, while an I/O
 * error that may pass (EIO, EMFILE, ...) stays retryable. Without this, `ENOENT ...` or protobuf's
 * `index out of range ...` were retried for minutes, naming neither.
 */
import * as fs from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { BatchScoreError, messageOf } from '../errors';
import { ModelFileCorruptError, ModelFileMissingError } from './errors';

/** The model a file belongs to (its URI, when a run gave one) and the file read, for error messages. */
export interface ModelFileRef {
  uri?: string;
  file: string;
}

/** `model URI (file F)` or `model file F`: how every message below starts. */
function describeModelFile(ref: ModelFileRef): string {
  return ref.uri && ref.uri !== ref.file ? `model ${ref.uri} (file ${ref.file})` : `model file ${ref.file}`;
}

/** File-system errors that no retry fixes: the file is not there, or the worker may not read it. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);
const FORBIDDEN = new Set(['EACCES', 'EPERM']);

/**
 * A file-system error on a model file as a word of the error vocabulary: missing and unreadable files are
 * ModelFileMissing, a folder where a file belongs is ModelFileCorrupt, anything else (EIO, EMFILE, ENFILE,
 * EAGAIN, a network file system timing out) is `Io`, retried. An error about another file (one inside a model
 * folder) names that file too.
 */
export function modelFileError(err: unknown, ref: ModelFileRef): Error {
  if (err instanceof BatchScoreError) return err;
  const e = err as NodeJS.ErrnoException;
  const file = typeof e?.path === 'string' && e.path !== ref.file ? `${e.path} of ` : '';
  const what = `${file}${describeModelFile(ref)}`;
  const uri = uriOf(ref);
  if (e?.code && MISSING.has(e.code)) return new ModelFileMissingError(`${what} does not exist`, { cause: err, uri });
  if (e?.code && FORBIDDEN.has(e.code)) {
    return new ModelFileMissingError(`${what} cannot be read by the worker (${e.code})`, { cause: err, uri, unreadable: true });
  }
  if (e?.code === 'EISDIR') return new ModelFileCorruptError(`${what} is a folder, not an ONNX file`, { cause: err, uri });
  if (typeof e?.code === 'string') return new BatchScoreError('Io', `${what}: ${messageOf(err)}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** Runs a read of a model file, naming the model and file in whatever fails. */
export async function readingModelFile<T>(ref: ModelFileRef, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw modelFileError(e, ref);
  }
}

export function readModelBytes(ref: ModelFileRef): Promise<Buffer> {
  return readingModelFile(ref, () => fs.readFile(ref.file));
}

/** Decodes ONNX bytes; garbage, a truncated file or a protobuf that is not a model is ModelFileCorrupt. */
export function decodeOnnx(bytes: Uint8Array, ref: ModelFileRef): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw corruptModelFile(ref, `cannot be decoded as ONNX (${messageOf(e)})`, e);
  }
  // Any bytes that happen to parse as a protobuf decode to *something*; a model has an IR version and a graph.
  if (!model.graph || Number(model.irVersion ?? 0) <= 0) {
    throw corruptModelFile(ref, `is not an ONNX model (${bytes.length} bytes without ${model.graph ? 'an IR version' : 'a graph'})`);
  }
  return model;
}

export function corruptModelFile(ref: ModelFileRef, why: string, cause?: unknown): ModelFileCorruptError {
  return new ModelFileCorruptError(`${describeModelFile(ref)} ${why}`, { ...(cause === undefined ? {} : { cause }), uri: uriOf(ref) });
}

/** The URI a model file was named by, for the hint: `model register FILE` names the file itself. */
function uriOf(ref: ModelFileRef): string {
  return ref.uri ?? ref.file;
}
