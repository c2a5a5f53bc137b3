# pika (Debian python3-pika) against the disk alarm: driven line by line by
# test/amqp/durable-disk-alarm.test.ts, which makes the disk full and frees it in-process.
# Prints what pika saw: the nack, connection.blocked's reason, connection.unblocked.
import sys

import pika

port = int(sys.argv[1])
conn = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port, credentials=pika.PlainCredentials('guest', 'guest')))
events = []
conn.add_on_connection_blocked_callback(lambda _c, frame: events.append('blocked: ' + frame.method.reason))
conn.add_on_connection_unblocked_callback(lambda _c, _frame: events.append('unblocked'))
ch = conn.channel()
ch.confirm_delivery()
ch.queue_declare('pika-disk', durable=True)
props = pika.BasicProperties(delivery_mode=2)
ch.basic_publish('', 'pika-disk', b'before', props)
print('ready', flush=True)
sys.stdin.readline()  # the disk is full now
try:
    ch.basic_publish('', 'pika-disk', b'refused', props)
    print('confirmed refused', flush=True)
except pika.exceptions.NackError:
    print('nacked', flush=True)
while not events:
    conn.process_data_events(0.05)
print(events[-1], flush=True)
sys.stdin.readline()  # space is back
while len(events) < 2:
    conn.process_data_events(0.05)
print(events[-1], flush=True)
ch.basic_publish('', 'pika-disk', b'after', props)
print('confirmed after', flush=True)
conn.close()
