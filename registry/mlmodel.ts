/**
 * The two things batch-score needs from an MLflow `MLmodel` file (YAML): the input signature's column names
 * (the model's feature order) and the ONNX flavor's model file. A small reader for the shapes MLflow writes
 * (PyYAML block style; the signature is a JSON string, single-quoted and folded over lines), not a YAML parser.
 */

/** Column names of the input signature; undefined for a tensor signature (no names) or none at all. */
export function signatureInputNames(mlmodel: string): string[] | undefined {
  const raw = blockValue(mlmodel, ['signature', 'inputs']);
  if (raw === undefined || raw === 'null') return undefined;
  const specs = JSON.parse(raw) as { name?: string; type?: string }[];
  if (!Array.isArray(specs) || specs.some((s) => typeof s.name !== 'string')) return undefined;
  return specs.map((s) => s.name!);
}

/** The ONNX file inside the model folder (flavors.onnx.data), if the MLmodel names one. */
export function onnxDataFile(mlmodel: string): string | undefined {
  const v = blockValue(mlmodel, ['flavors', 'onnx', 'data']);
  return v === undefined || v === 'null' ? undefined : v;
}

/** The scalar at a key path of nested block mappings, unquoted and unfolded. */
function blockValue(text: string, keys: string[]): string | undefined {
  const lines = text.split(/\r?\n/);
  let depth = 0;
  let indent = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)([^\s:#][^:]*):(?:\s+(.*))?$/.exec(lines[i]);
    if (!m) continue;
    const lineIndent = m[1].length;
    if (lineIndent <= indent) return undefined; // left the block of the key found last
    if (m[2] !== keys[depth]) continue;
    if (depth === keys.length - 1) return scalar(m[3] ?? '', lines, i + 1, lineIndent);
    depth++;
    indent = lineIndent;
  }
  return undefined;
}

/** A plain, single-quoted or double-quoted scalar starting with `first`, continued on more-indented lines. */
function scalar(first: string, lines: string[], next: number, keyIndent: number): string {
  const parts = [first.trim()];
  const quote = parts[0][0] === "'" || parts[0][0] === '"' ? parts[0][0] : undefined;
  const closed = (s: string) =>
    quote === "'" ? /(^|[^'])('')*'$/.test(s.slice(1)) && s.length > 1 : quote === '"' ? /(^|[^\\])(\\\\)*"$/.test(s.slice(1)) && s.length > 1 : true;
  let joined = parts[0];
  for (let i = next; i < lines.length; i++) {
    const more = /^(\s*)(.*)$/.exec(lines[i])!;
    if (quote ? closed(joined) : more[1].length <= keyIndent || more[2] === '') break;
    joined += ' ' + more[2].trim(); // YAML folds a single line break into a space
  }
  if (quote === "'") return joined.slice(1, -1).replace(/''/g, "'");
  if (quote === '"') return JSON.parse(joined) as string;
  return joined;
}
