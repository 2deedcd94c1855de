/** `batch-score model`: the local model registry (register, list, alias). */
import { BatchScoreError } from '../errors';
import { listModels, LocalVersion, registerModel, setAlias } from '../registry';
import { checkModelForRegistration } from '../scoring';
import { parseCommand, str } from './args';
import { dataLayout } from '../config';

const HELP = `
Usage: batch-score model register FILE --name NAME [--alias ALIAS] [--features a,b,c] [--data-dir DIR]
       batch-score model list [--json] [--data-dir DIR]
       batch-score model alias NAME ALIAS VERSION [--data-dir DIR]

The local registry <data>/models: every registration is a new immutable version (1, 2, ...) whose bytes are
stored under their sha256. A file is accepted only if onnxruntime loads it and its inputs, outputs and feature
count fit the model contract (docs/model-contract.md). Runs take models:/NAME@ALIAS, models:/NAME/VERSION or a file path.
  --features a,b,c   ordered feature names (Silver columns), when the ONNX file does not carry them
`;

export async function modelCommand(args: string[]): Promise<number> {
  const p = parseCommand(
    HELP,
    { name: { type: 'string' }, alias: { type: 'string' }, features: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
    args,
  );
  if (!p) return 0;
  const registryDir = dataLayout(str(p, 'data-dir')).models;
  const [verb, ...rest] = p.positionals;
  if (verb === 'register' && rest.length === 1 && str(p, 'name')) {
    const features = str(p, 'features')
      ?.split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    // onnxruntime loads the file and its contract is checked before anything is written to the registry.
    let v: LocalVersion;
    try {
      v = await registerModel(registryDir, rest[0], { name: str(p, 'name')!, alias: str(p, 'alias'), features, validate: checkModelForRegistration });
    } catch (e) {
      if (!(e instanceof BatchScoreError)) throw e;
      // A refused file: say why in the vocabulary's words (the code, then what to do), as a failed run does.
      console.error(`batch-score model register: ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      return 1;
    }
    console.log(`registered ${v.name} version ${v.version} (sha256 ${v.sha256})${str(p, 'alias') ? `, alias ${str(p, 'alias')}` : ''}`);
    return 0;
  }
  if (verb === 'list' && rest.length === 0) {
    const models = await listModels(registryDir);
    if (p.values.json) {
      console.log(JSON.stringify(models, null, 2));
      return 0;
    }
    if (!models.length) console.log(`no models in ${registryDir}`);
    for (const m of models) {
      console.log(m.name);
      for (const v of m.versions) {
        const aliases = Object.entries(m.aliases).filter(([, version]) => version === v.version).map(([a]) => `@${a}`);
        console.log(`  ${v.version.padStart(3)}  ${v.sha256.slice(0, 12)}  ${v.createdAt}  ${aliases.join(' ')}`);
        if (v.metrics) console.log(`       ${describeMetrics(v.metrics, v.params)}`);
      }
    }
    return 0;
  }
  if (verb === 'alias' && rest.length === 3) {
    const [name, alias, version] = rest;
    await setAlias(registryDir, name, alias, version);
    console.log(`models:/${name}@${alias} → version ${version}`);
    return 0;
  }
  console.error(HELP.trim());
  return 2;
}

/** One line of a version's training numbers, e.g. `held out: AUC 0.8123, log loss 0.1234, 20,011 users, 4.10% buyers (snapshot 2026-11-23)`. */
function describeMetrics(metrics: Record<string, number>, params: Record<string, string> = {}): string {
  const m = (key: string, digits: number) => (metrics[key] === undefined ? 'n/a' : metrics[key].toFixed(digits));
  const rate = metrics.holdout_positive_rate === undefined ? 'n/a' : `${(metrics.holdout_positive_rate * 100).toFixed(2)}%`;
  const snapshot = params.snapshot_date ? ` (snapshot ${params.snapshot_date})` : '';
  return `held out: AUC ${m('holdout_auc', 4)}, log loss ${m('holdout_log_loss', 4)}, ${metrics.holdout_rows ?? 'n/a'} users, ${rate} buyers${snapshot}`;
}
