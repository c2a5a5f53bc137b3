// A minimal SCRAM client (RFC 5802) for raw-protocol tests: builds client-first and
// client-final messages and checks the server signature, independently of the server code
// (it derives everything from the password, as a client does).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';

export class ScramClient {
  readonly nonce = randomBytes(12).toString('base64url');
  private firstBare = '';
  private authMessage = '';
  private saltedPassword = Buffer.alloc(0);

  constructor(
    private readonly hash: ScramHash,
    private readonly user: string,
    private readonly password: string,
  ) {}

  first(): Buffer {
    this.firstBare = `n=${this.user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.nonce}`;
    return Buffer.from(`n,,${this.firstBare}`);
  }

  /**
   * client-final for the server-first message; `tamper` alters the proof, `repeatNonce` sends
   * our nonce again in front of the combined one, as librdkafka 2.0.2 does.
   */
  final(serverFirst: Buffer, tamper = false, repeatNonce = false): Buffer {
    const text = serverFirst.toString();
    const attrs = new Map(text.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as const));
    const nonce = attrs.get('r') ?? '';
    if (!nonce.startsWith(this.nonce)) throw new Error(`server nonce ${nonce} does not extend ours`);
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    this.saltedPassword = pbkdf2Sync(this.password, salt, iterations, this.hash === 'sha256' ? 32 : 64, this.hash);
    const withoutProof = `c=biws,r=${repeatNonce ? this.nonce : ''}${nonce}`;
    this.authMessage = `${this.firstBare},${text},${withoutProof}`;
    const clientKey = createHmac(this.hash, this.saltedPassword).update('Client Key').digest();
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const signature = createHmac(this.hash, storedKey).update(this.authMessage).digest();
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] as number) ^ (signature[i] as number) ^ (tamper && i === 0 ? 1 : 0);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** True when server-final carries the signature only a holder of ServerKey can make. */
  verify(serverFinal: Buffer): boolean {
    const serverKey = createHmac(this.hash, this.saltedPassword).update('Server Key').digest();
    const expected = createHmac(this.hash, serverKey).update(this.authMessage).digest('base64');
    return serverFinal.toString() === `v=${expected}`;
  }
}

/** What AlterUserScramCredentials carries: the client salts and hashes the password itself. */
export function saltedPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(password, salt, iterations, hash === 'sha256' ? 32 : 64, hash);
}
