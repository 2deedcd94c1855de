/**
 * Which model a run scored with, as Gold and the run's result record it: the URI it was asked for, the name and
 * version it resolved to, and the sha256 of the exact bytes. A PinnedModel (pinned.ts) is this plus where the
 * bytes are. Pure (no Node built-ins): the workflow builds its result with it.
 */
export interface ModelIdentity {
  uri: string;
  name: string;
  version: string;
  sha256: string;
}

/** Only the identity of a model (a pinned model also carries paths and features, which records leave out). */
export function modelIdentity(model: ModelIdentity): ModelIdentity {
  return { uri: model.uri, name: model.name, version: model.version, sha256: model.sha256 };
}
