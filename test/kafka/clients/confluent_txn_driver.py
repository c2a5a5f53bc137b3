# Drives python3-confluent-kafka (librdkafka) transactions for the vitest suites: one JSON
# command on argv, one JSON result on stdout. 'txns' runs a list of transactions (commit or
# abort) with one transactional producer; 'read' consumes with an isolation level; 'ctp' runs
# consume-transform-produce with send_offsets_to_transaction.
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition


def txns(a):
    p = Producer({'bootstrap.servers': a['bootstrap'], 'transactional.id': a['txnId'], 'linger.ms': 5})
    p.init_transactions(15)
    for t in a['txns']:
        p.begin_transaction()
        for v in t['values']:
            p.produce(a['topic'], value=v.encode(), partition=t.get('partition', 0))
        p.flush(15)
        if t['commit']:
            p.commit_transaction(15)
        else:
            p.abort_transaction(15)
    return {'ok': True}


def read(a):
    c = Consumer({'bootstrap.servers': a['bootstrap'], 'group.id': 'txn-reader', 'enable.auto.commit': False,
                  'auto.offset.reset': 'earliest', 'isolation.level': a['isolation']})
    c.assign([TopicPartition(a['topic'], p, 0) for p in a.get('partitions', [0])])
    out = []
    deadline = time.time() + a.get('timeout', 3)
    while time.time() < deadline and len(out) < a.get('count', 1 << 30):
        m = c.poll(0.1)
        if m is None or m.error():
            continue
        out.append({'offset': m.offset(), 'value': m.value().decode()})
    c.close()
    return {'messages': out}


def ctp(a):
    """Reads `count` records of `input` in group `group` and writes them upper-cased to `output`, one transaction per record."""
    c = Consumer({'bootstrap.servers': a['bootstrap'], 'group.id': a['group'], 'enable.auto.commit': False,
                  'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
    p = Producer({'bootstrap.servers': a['bootstrap'], 'transactional.id': a['txnId'], 'linger.ms': 5})
    p.init_transactions(15)
    c.subscribe([a['input']])
    done = 0
    deadline = time.time() + 20
    while done < a['count'] and time.time() < deadline:
        m = c.poll(0.1)
        if m is None or m.error():
            continue
        p.begin_transaction()
        p.produce(a['output'], value=m.value().decode().upper().encode())
        p.send_offsets_to_transaction([TopicPartition(m.topic(), m.partition(), m.offset() + 1)], c.consumer_group_metadata(), 15)
        p.commit_transaction(15)
        done += 1
    committed = c.committed([TopicPartition(a['input'], 0)], timeout=10)
    c.close()
    return {'done': done, 'committed': [tp.offset for tp in committed]}


if __name__ == '__main__':
    cmd = json.loads(sys.argv[1])
    print(json.dumps({'txns': txns, 'read': read, 'ctp': ctp}[cmd['cmd']](cmd)))
