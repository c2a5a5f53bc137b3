# Drives python3-confluent-kafka (librdkafka) for the vitest suites: one JSON command on argv,
# one JSON result on stdout. Values travel as UTF-8 strings or null; headers as [key, value].
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic


def enc(s):
    return None if s is None else s.encode()


def dec(b):
    return None if b is None else b.decode('utf-8', 'replace')


def msg_json(m):
    ts_type, ts = m.timestamp()
    return {
        'topic': m.topic(), 'partition': m.partition(), 'offset': m.offset(),
        'key': dec(m.key()), 'value': dec(m.value()), 'timestampType': ts_type, 'timestamp': ts,
        'headers': [[k, dec(v)] for k, v in (m.headers() or [])],
    }


def produce(a):
    p = Producer({'bootstrap.servers': a['bootstrap'], 'compression.codec': a.get('codec', 'none'),
                  'linger.ms': 20, 'acks': a.get('acks', 'all'), **a.get('conf', {})})
    reports = []

    def on_delivery(err, m):
        reports.append({'error': None if err is None else err.name(), 'partition': m.partition(), 'offset': m.offset()})

    for m in a['messages']:
        kw = {'key': enc(m.get('key')), 'value': enc(m.get('value')), 'on_delivery': on_delivery}
        if 'partition' in m:
            kw['partition'] = m['partition']
        if 'timestamp' in m:
            kw['timestamp'] = m['timestamp']
        if m.get('headers'):
            kw['headers'] = [(k, enc(v)) for k, v in m['headers']]
        p.produce(a['topic'], **kw)
    left = p.flush(15)
    return {'left': left, 'reports': reports}


def consume(a):
    """Subscribes (with a group) or assigns partition 0 (without) and reads `count` messages."""
    conf = {'bootstrap.servers': a['bootstrap'], 'auto.offset.reset': 'earliest', 'enable.auto.commit': False,
            'group.id': a.get('group', 'confluent-driver-unused')}
    c = Consumer(conf)
    if 'group' in a:
        c.subscribe([a['topic']])
    else:
        c.assign([TopicPartition(a['topic'], p, a.get('offset', 0)) for p in a.get('partitions', [0])])
    out, errors = [], []
    deadline = time.time() + a.get('timeout', 15)
    while len(out) < a['count'] and time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            errors.append(m.error().name())
            continue
        out.append(msg_json(m))
    committed = None
    if 'group' in a and a.get('commit'):
        c.commit(asynchronous=False)
        parts = c.committed([TopicPartition(a['topic'], p) for p in a.get('partitions', [0])], timeout=10)
        committed = [[tp.partition, tp.offset] for tp in parts]
    c.close()
    return {'messages': out, 'errors': errors, 'committed': committed}


def group(a):
    """Two members of one group: both share the partitions, the second leaves, the first takes over."""
    conf = {'bootstrap.servers': a['bootstrap'], 'group.id': a['group'], 'auto.offset.reset': 'earliest',
            'session.timeout.ms': 6000, 'heartbeat.interval.ms': 300, 'enable.auto.commit': False}
    assigned = {'c1': [], 'c2': []}

    def tracker(name):
        def on_assign(consumer, parts):
            assigned[name] = sorted(p.partition for p in parts)

        def on_revoke(consumer, parts):
            assigned[name] = []
        return on_assign, on_revoke

    c1, c2 = Consumer(conf), Consumer(conf)
    a1, r1 = tracker('c1')
    a2, r2 = tracker('c2')
    c1.subscribe([a['topic']], on_assign=a1, on_revoke=r1)
    c2.subscribe([a['topic']], on_assign=a2, on_revoke=r2)
    seen = []

    def pump(consumers, until, limit=20):
        end = time.time() + limit
        while time.time() < end and not until():
            for c in consumers:
                m = c.poll(0.05)
                if m is not None and not m.error():
                    seen.append(msg_json(m))

    total = a['partitions']
    pump([c1, c2], lambda: len(assigned['c1']) + len(assigned['c2']) == total and assigned['c1'] and assigned['c2'])
    split = {'c1': list(assigned['c1']), 'c2': list(assigned['c2'])}
    # Records read before the final assignment may belong to revoked partitions; after it,
    # each member reads its own partitions from the start, so the union becomes complete
    # exactly when every owner has read all of its partitions.
    before = len(seen)
    pump([c1, c2], lambda: len({(m['partition'], m['offset']) for m in seen[before:]}) >= a['count'])
    for c in (c1, c2):
        try:
            c.commit(asynchronous=False)
        except KafkaException as e:  # a member that read nothing has nothing to commit
            if e.args[0].code() != KafkaError._NO_OFFSET:
                raise
    c2.close()
    pump([c1], lambda: len(assigned['c1']) == total)
    after = list(assigned['c1'])
    committed = c1.committed([TopicPartition(a['topic'], p) for p in range(total)], timeout=10)
    c1.close()
    return {'split': split, 'after': after, 'seen': len(seen),
            'committed': sorted([tp.partition, tp.offset] for tp in committed)}


def wait_all(futures):
    out = {}
    for key, f in futures.items():
        try:
            f.result()
            out[str(key)] = None
        except KafkaException as e:
            out[str(key)] = e.args[0].name()
    return out


def admin(a):
    ad = AdminClient({'bootstrap.servers': a['bootstrap']})
    op = a['op']
    if op == 'create_topics':
        return wait_all(ad.create_topics([NewTopic(t['name'], t.get('partitions', 1), t.get('replication', 1), config=t.get('configs', {}))
                                          for t in a['topics']], validate_only=a.get('validateOnly', False)))
    if op == 'delete_topics':
        return wait_all(ad.delete_topics(a['topics'], operation_timeout=10))
    if op == 'create_partitions':
        return wait_all(ad.create_partitions([NewPartitions(t, n) for t, n in a['topics'].items()], validate_only=a.get('validateOnly', False)))
    if op == 'list_topics':
        md = ad.list_topics(timeout=10)
        return {'brokers': {str(b.id): f'{b.host}:{b.port}' for b in md.brokers.values()}, 'controller': md.controller_id,
                'topics': {n: {'partitions': {str(p.id): {'leader': p.leader, 'replicas': p.replicas, 'isrs': p.isrs} for p in t.partitions.values()},
                               'error': None if t.error is None else t.error.name()} for n, t in md.topics.items()}}
    if op == 'list_groups':
        return {g.id: {'state': g.state, 'protocolType': g.protocol_type, 'members': len(g.members)} for g in ad.list_groups(timeout=10)}
    if op == 'describe_configs':
        kinds = {'topic': ConfigResource.Type.TOPIC, 'broker': ConfigResource.Type.BROKER}
        futs = ad.describe_configs([ConfigResource(kinds[r['type']], r['name']) for r in a['resources']])
        out = {}
        for res, f in futs.items():
            try:
                out[res.name] = {k: {'value': e.value, 'isDefault': e.is_default, 'source': e.source, 'readOnly': e.is_read_only,
                                     'synonyms': len(e.synonyms)} for k, e in f.result().items()}
            except KafkaException as e:
                out[res.name] = e.args[0].name()
        return out
    if op == 'alter_configs':
        kinds = {'topic': ConfigResource.Type.TOPIC, 'broker': ConfigResource.Type.BROKER}
        return wait_all(ad.alter_configs([ConfigResource(kinds[r['type']], r['name'], set_config=r['configs']) for r in a['resources']]))
    raise ValueError(op)


if __name__ == '__main__':
    cmd = json.loads(sys.argv[1])
    print(json.dumps({'produce': produce, 'consume': consume, 'group': group, 'admin': admin}[cmd['cmd']](cmd)))
