"""Drives omnibroker's AMQP port with pika (Debian's python3-pika); prints one JSON result.

Usage: pika_client.py PORT. Exercises declare/bind/publish/get/consume/ack, confirms,
mandatory returns, a channel error (404) and a server-side 406 on redeclare.
"""
import json
import sys

import pika

port = int(sys.argv[1])
params = pika.ConnectionParameters(host="127.0.0.1", port=port, credentials=pika.PlainCredentials("guest", "guest"))
out = {}
conn = pika.BlockingConnection(params)
ch = conn.channel()
q = ch.queue_declare(queue="", exclusive=True).method.queue
out["server_named"] = q.startswith("amq.gen-")
ch.exchange_declare("pika.direct", exchange_type="direct")
ch.queue_bind(q, "pika.direct", routing_key="rk")
ch.confirm_delivery()
props = pika.BasicProperties(content_type="text/plain", headers={"n": 1, "s": "x", "l": [1, "a"], "t": {"k": True}}, priority=4, correlation_id="c1")
ch.basic_publish("pika.direct", "rk", b"hello", props)
try:
    ch.basic_publish("pika.direct", "nowhere", b"lost", mandatory=True)
    out["unroutable"] = "confirmed"
except pika.exceptions.UnroutableError:
    out["unroutable"] = "returned"
method, p, body = ch.basic_get(q)
out["get"] = [body.decode(), p.headers, p.priority, p.correlation_id, method.message_count, method.redelivered]
ch.basic_nack(method.delivery_tag, requeue=True)
method, p, body = ch.basic_get(q)
out["redelivered"] = method.redelivered
ch.basic_ack(method.delivery_tag)
for i in range(3):
    ch.basic_publish("", q, str(i).encode())
got = []
for method, p, body in ch.consume(q, inactivity_timeout=1):
    if method is None:
        break
    got.append(body.decode())
    ch.basic_ack(method.delivery_tag)
    if len(got) == 3:
        break
ch.cancel()
out["consumed"] = got
try:
    ch.queue_declare(queue="pika-missing", passive=True)
except pika.exceptions.ChannelClosedByBroker as e:
    out["passive"] = [e.reply_code, e.reply_text]
ch2 = conn.channel()
ch2.queue_declare(queue="pika-eq", durable=False)
try:
    ch2.queue_declare(queue="pika-eq", durable=True)
except pika.exceptions.ChannelClosedByBroker as e:
    out["inequivalent"] = [e.reply_code, e.reply_text]
ch3 = conn.channel()
ch3.queue_delete("pika-eq")
# Dead-lettering: reject into a DLX, then read the x-death entry field by field.
dead = ch3.queue_declare(queue="", exclusive=True).method.queue
work = ch3.queue_declare(queue="pika-work", exclusive=True, arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead}).method.queue
ch3.basic_publish("", work, b"bad", pika.BasicProperties(expiration="60000"))
method, p, body = ch3.basic_get(work)
ch3.basic_reject(method.delivery_tag, requeue=False)
method, p, body = None, None, None
for _ in range(100):
    method, p, body = ch3.basic_get(dead, auto_ack=True)
    if method:
        break
    conn.sleep(0.01)
death = p.headers["x-death"][0]
out["x_death"] = [list(death.keys()), death["count"], death["reason"], death["queue"], death["exchange"], death["routing-keys"], death["original-expiration"], type(death["time"]).__name__, p.expiration]
out["first_last"] = [p.headers["x-first-death-queue"], p.headers["x-first-death-reason"], p.headers["x-last-death-exchange"]]
conn.close()
print(json.dumps(out))
