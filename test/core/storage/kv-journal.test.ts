// Key-value journals: last write wins across restarts, deletes stick, and a stream of
// overwrites (offset commits) does not grow the disk without bound.
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/core/storage/file-store.js';
import { KeyValueJournal } from '../../../src/core/storage/kv-journal.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterEach(removeTempDirs);

describe('key-value journal', () => {
  it('recovers the latest value of each key and forgets deleted ones', async () => {
    const dir = tempDir();
    const { journal } = KeyValueJournal.open(dir);
    journal.put('group-a/orders/0', Buffer.from('10'));
    journal.put('group-a/orders/1', Buffer.from('5'));
    journal.put('group-a/orders/0', Buffer.from('42'));
    journal.put('ключ', Buffer.alloc(5000, 'v'));
    journal.put('gone', Buffer.from('x'));
    journal.delete('gone');
    journal.put('empty', Buffer.alloc(0));
    await journal.close();
    const r = KeyValueJournal.open(dir);
    expect(r.issues).toEqual([]);
    expect(Object.fromEntries([...r.entries].map(([k, v]) => [k, v.length > 100 ? v.length : v.toString()]))).toEqual({
      'group-a/orders/0': '42',
      'group-a/orders/1': '5',
      ключ: 5000,
      empty: '',
    });
    expect(r.journal.size).toBe(4);
    await r.journal.close();
  });

  it('keeps disk use bounded under a stream of overwrites, and the latest values survive compaction', async () => {
    const dir = tempDir();
    const { journal } = KeyValueJournal.open(dir, { segmentBytes: 4096 });
    for (let i = 0; i < 5000; i++) journal.put(`g/t/${i % 10}`, Buffer.from(String(i)));
    await journal.commit();
    await journal.compacted();
    // 5000 records of ~20 bytes would be ~100 KB; ten live ones need a few segments at most.
    expect(journal.diskBytes).toBeLessThan(4 * 4096);
    await journal.close();
    const r = KeyValueJournal.open(dir, { segmentBytes: 4096 });
    expect([...r.entries].map(([k, v]) => [k, v.toString()]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => [`g/t/${i}`, String(4990 + i)]).sort());
    await r.journal.close();
  });

  it('is part of the FileStore layout, created at runtime and listed', async () => {
    const dir = tempDir();
    const s = new FileStore(dir);
    await s.open();
    const offsets = s.createKeyValues('kafka-offsets');
    offsets.put('g/t/0', Buffer.from('7'));
    await offsets.commit();
    await s.close();
    const again = new FileStore(dir);
    await again.open();
    expect(again.keyValueNames()).toEqual(['kafka-offsets']);
    expect(again.openKeyValues('kafka-offsets').entries.get('g/t/0')?.toString()).toBe('7');
    await again.deleteKeyValues('kafka-offsets');
    expect(again.keyValueNames()).toEqual([]);
    await again.close();
  });
});
