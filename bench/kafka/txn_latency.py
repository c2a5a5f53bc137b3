# Transactional commit latency with python3-confluent-kafka (librdkafka), for bench/kafka:
# argv = bootstrap topic transactional_id rounds max_seconds. One transactional producer
# (linger.ms 0 so the single record leaves at once) repeats begin, produce one 100-byte record,
# commit; each sample is begin -> commit_transaction() returned, in ms. Prints one JSON line
# {"samples": [...]} (the first 20 rounds are dropped as warm-up).
import json
import sys
import time

from confluent_kafka import Producer


def main():
    bootstrap, topic, txn_id, rounds, max_s = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txn_id, 'linger.ms': 0, 'acks': 'all'})
    p.init_transactions(15)
    value = b'x' * 100
    samples = []
    deadline = time.monotonic() + max_s
    for i in range(rounds):
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        p.begin_transaction()
        p.produce(topic, value=value, partition=0)
        p.commit_transaction(15)
        if i >= 20:
            samples.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'samples': samples}))


main()
