// Runs the Debian-packaged Kafka clients for the test suites: kcat and the two Python drivers
// under test/kafka/clients/ (one JSON command in, one JSON result out). Child processes run
// asynchronously so the in-process broker keeps serving them.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const DRIVERS = {
  confluent: fileURLToPath(new URL('./clients/confluent_driver.py', import.meta.url)),
  confluentTxn: fileURLToPath(new URL('./clients/confluent_txn_driver.py', import.meta.url)),
  kafkaPython: fileURLToPath(new URL('./clients/kafka_python_driver.py', import.meta.url)),
  sasl: fileURLToPath(new URL('./clients/sasl_driver.py', import.meta.url)),
};

export type Driver = keyof typeof DRIVERS;

/** One consumed record as both drivers report it. */
export interface PyMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  timestampType: number;
  headers: [string, string | null][];
}

export function py<T = any>(driver: Driver, command: Record<string, unknown>, timeoutMs = 60_000): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [DRIVERS[driver], JSON.stringify(command)], { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${driver} ${String(command.cmd)} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${driver} printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** Runs kcat with `input` on stdin; resolves with stdout (rejects on a non-zero exit). */
export function kcat(args: string[], input = '', timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`));
    });
    child.stdin.end(input);
  });
}
