// Import-direction rules (STYLE.md 3.3): the core imports only core/ and shared/; front-ends
// never import each other; only server.ts knows every front-end.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');
const FRONT_ENDS = ['sqs', 'amqp', 'kafka'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec?.startsWith('.')) found.push(relative(SRC, resolve(dirname(file), spec)));
  }
  return found;
}

const top = (path: string): string => path.split('/')[0] ?? '';

describe('architecture', () => {
  it('the core imports only the core and shared helpers that know no protocol', () => {
    for (const file of files(join(SRC, 'core'))) {
      for (const target of imports(file)) {
        expect(['core', 'shared'], `${relative(SRC, file)} imports ${target}`).toContain(top(target));
      }
    }
  });

  it('front-ends never import each other, the server or the CLI', () => {
    for (const fe of FRONT_ENDS) {
      for (const file of files(join(SRC, fe))) {
        for (const target of imports(file)) {
          const t = top(target);
          expect(FRONT_ENDS.filter((o) => o !== fe), `${relative(SRC, file)} imports ${target}`).not.toContain(t);
          expect(['server.js', 'cli.js', 'admin'], `${relative(SRC, file)} imports ${target}`).not.toContain(t);
        }
      }
    }
  });
});
