// CRC-32C: the native and the JS implementation agree with the standard check value and with
// each other on arbitrary data, offsets and lengths.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cImplementation, crc32cJs } from '../../src/kafka/crc32c.js';

describe('crc32c', () => {
  it('matches the CRC-32C check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cJs(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('uses the native implementation when it is installed', () => {
    expect(crc32cImplementation).toBe('native');
  });

  it('agrees with the JS implementation on random ranges', () => {
    for (let i = 0; i < 200; i++) {
      const buf = randomBytes(1 + Math.floor(Math.random() * 5000));
      const start = Math.floor(Math.random() * buf.length);
      const end = start + Math.floor(Math.random() * (buf.length - start + 1));
      expect(crc32c(buf, start, end)).toBe(crc32cJs(buf, start, end));
    }
  });
});
