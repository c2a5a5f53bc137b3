# Drives python3-kafka (kafka-python 2.0.2) for the vitest suites: one JSON command on argv, one
# JSON result on stdout. kafka-python infers the broker version from ApiVersions v0 and then
# uses fixed old API versions (Metadata v1, Fetch v4, JoinGroup v2, OffsetCommit v2).
import json
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ConfigResource,
                         ConfigResourceType, NewPartitions, NewTopic, ResourcePattern, ResourcePatternFilter, ResourceType)


def enc(s):
    return None if s is None else s.encode()


def dec(b):
    return None if b is None else b.decode('utf-8', 'replace')


def msg_json(m):
    return {'topic': m.topic, 'partition': m.partition, 'offset': m.offset, 'key': dec(m.key), 'value': dec(m.value),
            'timestamp': m.timestamp, 'timestampType': m.timestamp_type, 'headers': [[k, dec(v)] for k, v in m.headers]}


def produce(a):
    p = KafkaProducer(bootstrap_servers=a['bootstrap'], compression_type=a.get('codec'), linger_ms=20, acks=a.get('acks', 'all'))
    futures = []
    for m in a['messages']:
        futures.append(p.send(a['topic'], key=enc(m.get('key')), value=enc(m.get('value')), partition=m.get('partition'),
                              timestamp_ms=m.get('timestamp'), headers=[(k, enc(v)) for k, v in m.get('headers', [])]))
    reports = []
    for f in futures:
        try:
            md = f.get(15)
            reports.append({'error': None, 'partition': md.partition, 'offset': md.offset})
        except Exception as e:  # noqa: BLE001 - the error class name is the result
            reports.append({'error': type(e).__name__, 'partition': None, 'offset': None})
    p.close()
    return {'reports': reports, 'version': list(p.config['api_version'])}


def consume(a):
    kw = {'bootstrap_servers': a['bootstrap'], 'auto_offset_reset': 'earliest', 'enable_auto_commit': False,
          'consumer_timeout_ms': int(a.get('timeout', 15) * 1000)}
    if 'group' in a:
        c = KafkaConsumer(a['topic'], group_id=a['group'], **kw)
    else:
        c = KafkaConsumer(group_id=None, **kw)
        c.assign([TopicPartition(a['topic'], p) for p in a.get('partitions', [0])])
    out = []
    for m in c:
        out.append(msg_json(m))
        if len(out) >= a['count']:
            break
    committed = None
    if 'group' in a and a.get('commit'):
        c.commit()
        committed = [[p, c.committed(TopicPartition(a['topic'], p))] for p in a.get('partitions', [0])]
    c.close()
    return {'messages': out, 'committed': committed}


def group(a):
    """Two members of one group share the partitions; when the second leaves, the first takes all.

    Each member polls in its own thread, as kafka-python expects (a poll blocked in another
    member's JoinGroup would starve this member's rejoin)."""
    kw = {'bootstrap_servers': a['bootstrap'], 'group_id': a['group'], 'auto_offset_reset': 'earliest', 'enable_auto_commit': False,
          'session_timeout_ms': 6000, 'heartbeat_interval_ms': 300}
    total = a['partitions']
    seen = []
    state = {'c1': {'parts': [], 'stop': False}, 'c2': {'parts': [], 'stop': False}}
    lock = threading.Lock()
    result = {}

    def run(name):
        c = KafkaConsumer(a['topic'], **kw)
        while not state[name]['stop']:
            for recs in c.poll(timeout_ms=100).values():
                with lock:
                    seen.extend(msg_json(m) for m in recs)
            state[name]['parts'] = sorted(tp.partition for tp in c.assignment())
        c.commit()
        if name == 'c1':
            result['committed'] = sorted([p, c.committed(TopicPartition(a['topic'], p))] for p in range(total))
        c.close()

    def wait(cond, limit=20):
        end = time.time() + limit
        while time.time() < end and not cond():
            time.sleep(0.05)

    t1 = threading.Thread(target=run, args=('c1',))
    t2 = threading.Thread(target=run, args=('c2',))
    t1.start()
    t2.start()
    wait(lambda: len(state['c1']['parts']) + len(state['c2']['parts']) == total and state['c1']['parts'] and state['c2']['parts'])
    split = {'c1': state['c1']['parts'], 'c2': state['c2']['parts']}
    # As in the confluent driver: count only what the final owners read.
    before = len(seen)
    wait(lambda: len({(m['partition'], m['offset']) for m in seen[before:]}) >= a['count'])
    state['c2']['stop'] = True
    t2.join()
    wait(lambda: len(state['c1']['parts']) == total)
    after = state['c1']['parts']
    state['c1']['stop'] = True
    t1.join()
    return {'split': split, 'after': after, 'seen': len(seen), 'committed': result.get('committed')}


def admin(a):
    ad = KafkaAdminClient(bootstrap_servers=a['bootstrap'])
    op = a['op']
    try:
        if op == 'create_topics':
            r = ad.create_topics([NewTopic(t['name'], t.get('partitions', 1), t.get('replication', 1), topic_configs=t.get('configs', {}))
                                  for t in a['topics']])
            return {t: e for t, e, *_ in r.topic_errors}
        if op == 'delete_topics':
            r = ad.delete_topics(a['topics'])
            return {t: e for t, e in r.topic_error_codes}
        if op == 'list_topics':
            return sorted(ad.list_topics())
        if op == 'create_partitions':
            r = ad.create_partitions({t: NewPartitions(n) for t, n in a['topics'].items()})
            return {t: e for t, e, _ in r.topic_errors}
        if op == 'describe_configs':
            kinds = {'topic': ConfigResourceType.TOPIC, 'broker': ConfigResourceType.BROKER}
            rs = ad.describe_configs([ConfigResource(kinds[r['type']], r['name']) for r in a['resources']])
            out = {}
            for resp in rs:
                for err, _msg, _type, name, entries in resp.resources:
                    out[name] = err if err else {e[0]: e[1] for e in entries}
            return out
        if op == 'groups':
            listed = sorted(g for g, _ in ad.list_consumer_groups())
            described = {d.group: {'state': d.state, 'members': len(d.members)} for d in ad.describe_consumer_groups(listed)}
            offsets = {g: sorted([tp.topic, tp.partition, om.offset] for tp, om in ad.list_consumer_group_offsets(g).items()) for g in listed}
            return {'listed': listed, 'described': described, 'offsets': offsets}
        if op == 'delete_groups':
            return {g: None if e.errno == 0 else e.__name__ for g, e in ad.delete_consumer_groups(a['groups'])}
        if op == 'acls':
            return acls(ad, a)
        raise ValueError(op)
    finally:
        ad.close()


def acl_text(x):
    p = x.resource_pattern
    return f'{p.resource_type.name}:{p.pattern_type.name}:{p.resource_name} {x.principal} {x.host} {x.operation.name} {x.permission_type.name}'


def acl_filter(d):
    return ACLFilter(principal=d.get('principal'), host=d.get('host'), operation=ACLOperation[d.get('operation', 'ANY')],
                     permission_type=ACLPermissionType[d.get('permission', 'ANY')],
                     resource_pattern=ResourcePatternFilter(ResourceType[d.get('type', 'ANY')], d.get('name'),
                                                            ACLResourcePatternType[d.get('pattern', 'ANY')]))


def acls(ad, a):
    """Creates a['create'], then describes each of a['describe'] and deletes with a['delete'] (dicts of names)."""
    out = {}
    if a.get('create'):
        made = ad.create_acls([ACL(principal=d['principal'], host=d.get('host', '*'), operation=ACLOperation[d['operation']],
                                   permission_type=ACLPermissionType[d.get('permission', 'ALLOW')],
                                   resource_pattern=ResourcePattern(ResourceType[d['type']], d['name'],
                                                                    ACLResourcePatternType[d.get('pattern', 'LITERAL')]))
                               for d in a['create']])
        out['created'] = sorted(acl_text(x) for x in made['succeeded'])
        out['failed'] = [type(e).__name__ for _, e in made['failed']]
    out['described'] = []
    for d in a.get('describe', []):
        try:
            found, err = ad.describe_acls(acl_filter(d))
            out['described'].append(sorted(acl_text(x) for x in found))
        except Exception as e:  # kafka-python raises the broker's error
            out['described'].append(type(e).__name__)
    if a.get('delete'):
        res = ad.delete_acls([acl_filter(d) for d in a['delete']])
        out['deleted'] = [sorted(acl_text(x) for x, _ in matches) for _, matches, _ in res]
    return out


if __name__ == '__main__':
    cmd = json.loads(sys.argv[1])
    print(json.dumps({'produce': produce, 'consume': consume, 'group': group, 'admin': admin}[cmd['cmd']](cmd)))
