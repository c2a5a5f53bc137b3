# SASL checks with the Debian Python clients for the vitest suites: one JSON command on argv,
# one JSON result on stdout. "roundtrip" produces one record and reads it back with the given
# SASL settings; failures are reported as the error the client surfaced (never raised).
#   {"client": "confluent"|"kafka-python", "bootstrap": ..., "topic": ..., "value": ...,
#    "mechanism": "PLAIN"|"SCRAM-SHA-256"|"SCRAM-SHA-512", "username": ..., "password": ...}
import json
import sys
import time


def confluent_roundtrip(a):
    from confluent_kafka import Consumer, Producer, TopicPartition
    errors = []
    conf = {'bootstrap.servers': a['bootstrap'], 'security.protocol': 'SASL_PLAINTEXT',
            'sasl.mechanisms': a['mechanism'], 'sasl.username': a['username'], 'sasl.password': a['password'],
            'error_cb': lambda e: errors.append({'code': e.name(), 'message': e.str()})}
    p = Producer({**conf, 'message.timeout.ms': 4000})
    reports = []
    p.produce(a['topic'], a['value'].encode(), on_delivery=lambda err, m: reports.append(None if err is None else err.name()))
    deadline = time.time() + 6
    # A refused login shows up in error_cb as _AUTHENTICATION; no need to wait for the timeout.
    while not reports and time.time() < deadline and not any(e['code'] == '_AUTHENTICATION' for e in errors):
        p.poll(0.1)
    if reports != [None]:
        return {'ok': False, 'delivery': reports, 'errors': errors}
    c = Consumer({**conf, 'group.id': 'sasl-' + a['value'], 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    c.assign([TopicPartition(a['topic'], 0, 0)])
    values = []
    deadline = time.time() + 8
    while a['value'] not in values and time.time() < deadline:
        m = c.poll(0.2)
        if m is not None and m.error() is None:
            values.append(m.value().decode())
    c.close()
    return {'ok': a['value'] in values, 'values': values, 'errors': errors}


def kafka_python_roundtrip(a):
    import logging
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    class Capture(logging.Handler):
        def __init__(self):
            super().__init__()
            self.lines = []

        def emit(self, record):
            self.lines.append(record.getMessage())

    cap = Capture()
    logging.getLogger('kafka').addHandler(cap)
    logging.getLogger('kafka').setLevel(logging.INFO)
    kw = {'bootstrap_servers': a['bootstrap'], 'security_protocol': 'SASL_PLAINTEXT', 'sasl_mechanism': a['mechanism']}
    # kafka-python 2.0.2 takes the SCRAM credentials from the sasl_plain_* settings too.
    kw.update(sasl_plain_username=a['username'], sasl_plain_password=a['password'])
    try:
        p = KafkaProducer(**kw, request_timeout_ms=5000, max_block_ms=5000, api_version_auto_timeout_ms=4000)
        p.send(a['topic'], a['value'].encode()).get(5)
        p.close()
        c = KafkaConsumer(**kw, group_id=None, auto_offset_reset='earliest', consumer_timeout_ms=5000)
        c.assign([TopicPartition(a['topic'], 0)])
        values = []
        for m in c:
            values.append(m.value.decode())
            if a['value'] in values:
                break
        c.close()
        return {'ok': a['value'] in values, 'values': values}
    except Exception as e:  # noqa: BLE001 - the error is the result
        auth = [l for l in cap.lines if 'uthenticat' in l or 'SASL' in l]
        return {'ok': False, 'error': type(e).__name__, 'log': auth[:5]}


def main():
    a = json.loads(sys.argv[1])
    out = confluent_roundtrip(a) if a['client'] == 'confluent' else kafka_python_roundtrip(a)
    print(json.dumps(out))


main()
