/**
 * engineInfo written into every commitInfo: 'batch-score/<package version>'.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'batch-score') return String(pkg.version);
    } catch {
      // keep walking up
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

export const ENGINE_INFO = `batch-score/${packageVersion()}`;
