// The same scenarios in the Query flavour through a real SDK: Debian's boto3 1.26 / botocore
// 1.29 speak the 2012-11-05 Query protocol (form-encoded requests, XML responses). The Python
// script records results as JSON; assertions are made here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPython, startSqs, stopSqs, type SqsEnv } from './helpers.js';

const SCRIPT = String.raw`
import sys, json, hashlib, botocore, boto3
from botocore.exceptions import ClientError
port = sys.argv[1]
c = boto3.client('sqs', endpoint_url='http://127.0.0.1:' + port, region_name='us-east-1', aws_access_key_id='k', aws_secret_access_key='s')
out = {'protocol': c.meta.service_model.protocol, 'botocore': botocore.__version__}
def err(fn, **kw):
    try:
        fn(**kw)
        return None
    except ClientError as e:
        return {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'status': e.response['ResponseMetadata']['HTTPStatusCode'], 'type': e.response['Error'].get('Type')}
u = c.create_queue(QueueName='bq', Attributes={'VisibilityTimeout': '10'}, tags={'team': 'a', 'empty': ''})['QueueUrl']
out['url'] = u
out['same'] = c.create_queue(QueueName='bq', Attributes={'VisibilityTimeout': '10'})['QueueUrl']
out['conflict'] = err(c.create_queue, QueueName='bq', Attributes={'VisibilityTimeout': '11'})
out['attrs'] = c.get_queue_attributes(QueueUrl=u, AttributeNames=['All'])['Attributes']
out['badattr'] = err(c.get_queue_attributes, QueueUrl=u, AttributeNames=['Foobar'])
out['tags'] = c.list_queue_tags(QueueUrl=u)['Tags']
body = 'line1\r\nline2 "quoted" &amp; <tag> \u00e9\U0001F600'
sent = c.send_message(QueueUrl=u, MessageBody=body, MessageAttributes={
    'Foo': {'DataType': 'String', 'StringValue': 'Bar'},
    'n': {'DataType': 'Number.int', 'StringValue': '42'},
    'bin': {'DataType': 'Binary', 'BinaryValue': b'\x00\x01\xff'}})
out['sent'] = {k: sent.get(k) for k in ('MD5OfMessageBody', 'MD5OfMessageAttributes', 'MessageId')}
out['bodymd5'] = hashlib.md5(body.encode('utf-8')).hexdigest()
r = c.receive_message(QueueUrl=u, AttributeNames=['All'], MessageAttributeNames=['All'], MaxNumberOfMessages=10)
m = r['Messages'][0]
out['received'] = {'Body': m['Body'], 'MD5OfBody': m['MD5OfBody'], 'MD5OfMessageAttributes': m.get('MD5OfMessageAttributes'), 'Attributes': m['Attributes'],
    'MessageAttributes': {k: {'DataType': v['DataType'], 'value': v.get('StringValue') or list(v.get('BinaryValue', b''))} for k, v in m['MessageAttributes'].items()}}
out['empty'] = 'Messages' in c.receive_message(QueueUrl=u)
c.change_message_visibility(QueueUrl=u, ReceiptHandle=m['ReceiptHandle'], VisibilityTimeout=0)
m2 = c.receive_message(QueueUrl=u, AttributeNames=['ApproximateReceiveCount'])['Messages'][0]
out['count2'] = m2['Attributes']['ApproximateReceiveCount']
c.delete_message(QueueUrl=u, ReceiptHandle=m2['ReceiptHandle'])
out['garbage'] = err(c.delete_message, QueueUrl=u, ReceiptHandle='garbage')
b = c.send_message_batch(QueueUrl=u, Entries=[{'Id': 'a', 'MessageBody': 'one', 'DelaySeconds': 0}, {'Id': 'b', 'MessageBody': 'bad \x01'}])
out['batch'] = {'ok': [e['Id'] for e in b.get('Successful', [])], 'failed': b.get('Failed', [])}
out['toomany'] = err(c.send_message_batch, QueueUrl=u, Entries=[{'Id': str(i), 'MessageBody': 'x'} for i in range(11)])
got = c.receive_message(QueueUrl=u, MaxNumberOfMessages=10)['Messages']
cvb = c.change_message_visibility_batch(QueueUrl=u, Entries=[{'Id': 'v' + str(i), 'ReceiptHandle': g['ReceiptHandle'], 'VisibilityTimeout': 5} for i, g in enumerate(got)] + [{'Id': 'bad', 'ReceiptHandle': 'garbage', 'VisibilityTimeout': 5}])
out['cvb'] = {'ok': [e['Id'] for e in cvb.get('Successful', [])], 'failed': [e['Code'] for e in cvb.get('Failed', [])]}
c.set_queue_attributes(QueueUrl=u, Attributes={'DelaySeconds': '3', 'RedriveAllowPolicy': json.dumps({'redrivePermission': 'denyAll'})})
out['setattrs'] = c.get_queue_attributes(QueueUrl=u, AttributeNames=['DelaySeconds', 'RedriveAllowPolicy'])['Attributes']
out['badset'] = err(c.set_queue_attributes, QueueUrl=u, Attributes={'DelaySeconds': '901'})
c.set_queue_attributes(QueueUrl=u, Attributes={'DelaySeconds': '0', 'RedriveAllowPolicy': ''})
d = c.delete_message_batch(QueueUrl=u, Entries=[{'Id': 'x' + str(i), 'ReceiptHandle': g['ReceiptHandle']} for i, g in enumerate(got)])
out['deleted'] = [e['Id'] for e in d['Successful']]
out['maxmsg'] = err(c.receive_message, QueueUrl=u, MaxNumberOfMessages=11)
c.purge_queue(QueueUrl=u)
out['purge2'] = err(c.purge_queue, QueueUrl=u)
out['missing'] = err(c.get_queue_url, QueueName='nope')
c.tag_queue(QueueUrl=u, Tags={'x': 'y'})
c.untag_queue(QueueUrl=u, TagKeys=['team', 'empty'])
out['tags2'] = c.list_queue_tags(QueueUrl=u)['Tags']
f = c.create_queue(QueueName='bq.fifo', Attributes={'FifoQueue': 'true', 'ContentBasedDeduplication': 'true'})['QueueUrl']
s1 = c.send_message(QueueUrl=f, MessageBody='f1', MessageGroupId='g')
s2 = c.send_message(QueueUrl=f, MessageBody='f1', MessageGroupId='g')
out['fifo_dup'] = s1['MessageId'] == s2['MessageId']
c.send_message(QueueUrl=f, MessageBody='f2', MessageGroupId='g')
out['fifo_nogroup'] = err(c.send_message, QueueUrl=f, MessageBody='x')
fm = c.receive_message(QueueUrl=f, MaxNumberOfMessages=10, AttributeNames=['All'])['Messages']
out['fifo'] = [[x['Body'], x['Attributes']['MessageGroupId'], x['Attributes']['SequenceNumber']] for x in fm]
dl = c.create_queue(QueueName='bq-dlq')['QueueUrl']
src = c.create_queue(QueueName='bq-src', Attributes={'RedrivePolicy': json.dumps({'deadLetterTargetArn': 'arn:aws:sqs:us-east-1:000000000000:bq-dlq', 'maxReceiveCount': 1})})['QueueUrl']
out['sources'] = c.list_dead_letter_source_queues(QueueUrl=dl)['queueUrls']
c.add_permission(QueueUrl=u, Label='l1', AWSAccountIds=['111122223333', '444455556666'], Actions=['SendMessage', 'ReceiveMessage'])
out['policy'] = json.loads(c.get_queue_attributes(QueueUrl=u, AttributeNames=['Policy'])['Attributes']['Policy'])
c.remove_permission(QueueUrl=u, Label='l1')
out['lists'] = c.list_queues(QueueNamePrefix='bq', MaxResults=2)
out['lists'].pop('ResponseMetadata')
c.delete_queue(QueueUrl=src)
out['recent'] = err(c.create_queue, QueueName='bq-src')
print(json.dumps(out))
`;

let env: SqsEnv;
let out: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  env = await startSqs();
  out = JSON.parse(await runPython(SCRIPT, [String(env.server.ports.sqs)]));
}, 60_000);
afterAll(async () => stopSqs(env));

describe('SQS Query protocol through Debian boto3', () => {
  it('really is the Query protocol', () => {
    expect(out.protocol).toBe('query');
  });

  it('queue lifecycle, attributes, tags and errors', () => {
    const base = `http://127.0.0.1:${env.server.ports.sqs}/000000000000`;
    expect(out.url).toBe(`${base}/bq`);
    expect(out.same).toBe(out.url);
    expect(out.conflict).toEqual({ code: 'QueueAlreadyExists', message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout', status: 400, type: 'Sender' });
    expect(out.attrs).toMatchObject({ VisibilityTimeout: '10', MaximumMessageSize: '1048576', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:bq', SqsManagedSseEnabled: 'true' });
    expect(out.badattr).toMatchObject({ code: 'InvalidAttributeName', message: 'Unknown Attribute Foobar.' });
    expect(out.tags).toEqual({ team: 'a', empty: '' });
    expect(out.tags2).toEqual({ x: 'y' });
    expect(out.missing).toEqual({ code: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist for this wsdl version.', status: 400, type: 'Sender' });
    expect(out.lists.QueueUrls).toEqual([`${base}/bq`, `${base}/bq-dlq`]);
    expect(out.lists.NextToken).toBeDefined();
    expect(out.recent).toMatchObject({ code: 'AWS.SimpleQueueService.QueueDeletedRecently' });
  });

  it('messages round-trip byte-exact with attributes of every type and matching MD5s', () => {
    expect(out.sent.MD5OfMessageBody).toBe(out.bodymd5);
    expect(out.received.Body).toBe('line1\r\nline2 "quoted" &amp; <tag> \u00e9\u{1F600}');
    expect(out.received.MD5OfBody).toBe(out.bodymd5);
    expect(out.received.MD5OfMessageAttributes).toBe(out.sent.MD5OfMessageAttributes);
    expect(out.received.MessageAttributes).toEqual({ Foo: { DataType: 'String', value: 'Bar' }, n: { DataType: 'Number.int', value: '42' }, bin: { DataType: 'Binary', value: [0, 1, 255] } });
    expect(Object.keys(out.received.Attributes).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
    expect(out.empty).toBe(false);
    expect(out.count2).toBe('2');
    expect(out.garbage).toEqual({ code: 'ReceiptHandleIsInvalid', message: 'The input receipt handle "garbage" is not a valid receipt handle.', status: 404, type: 'Sender' });
  });

  it('batches, receive limits, purge interval', () => {
    expect(out.batch.ok).toEqual(['a']);
    expect(out.batch.failed).toEqual([expect.objectContaining({ Id: 'b', SenderFault: true, Code: 'InvalidMessageContents' })]);
    expect(out.toomany).toMatchObject({ code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', message: 'Maximum number of entries per request are 10. You have sent 11.' });
    expect(out.deleted).toEqual(['x0']);
    expect(out.cvb).toEqual({ ok: ['v0'], failed: ['ReceiptHandleIsInvalid'] });
    expect(out.setattrs).toEqual({ DelaySeconds: '3', RedriveAllowPolicy: '{"redrivePermission": "denyAll"}' });
    expect(out.badset).toMatchObject({ code: 'InvalidAttributeValue', message: 'Invalid value for the parameter DelaySeconds.', status: 400 });
    expect(out.maxmsg).toMatchObject({ code: 'InvalidParameterValue', message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.' });
    expect(out.purge2).toMatchObject({ code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403, message: 'Only one PurgeQueue operation on bq is allowed every 60 seconds.' });
  });

  it('FIFO, dead-letter sources and permissions', () => {
    expect(out.fifo_dup).toBe(true);
    expect(out.fifo_nogroup).toMatchObject({ code: 'MissingParameter', message: 'The request must contain the parameter MessageGroupId.' });
    expect(out.fifo.map((x: string[]) => x[0])).toEqual(['f1', 'f2']);
    expect(BigInt(out.fifo[1][2]) > BigInt(out.fifo[0][2])).toBe(true);
    expect(out.sources).toEqual([`http://127.0.0.1:${env.server.ports.sqs}/000000000000/bq-src`]);
    expect(out.policy.Statement[0]).toEqual({
      Sid: 'l1',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'] },
      Action: ['SQS:SendMessage', 'SQS:ReceiveMessage'],
      Resource: 'arn:aws:sqs:us-east-1:000000000000:bq',
    });
  });
});
