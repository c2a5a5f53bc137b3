// DescribeCluster (key 60), v0-2. The one broker (node id 1, also the controller) at the
// advertised address and the cluster id. Only the broker endpoint type exists here: asking for
// controller endpoints (v1+, type 2) gets MISMATCHED_ENDPOINT_TYPE as a broker listener does.
// Cluster authorized operations when asked: everything without an authorizer, else what the
// principal may do on the cluster.
import type { ApiModule } from '../api.js';
import { code } from '../errors.js';
import { clusterOperations, NOT_REQUESTED } from './authorized-operations.js';

export const describeClusterApi: ApiModule = {
  key: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const b = ctx.broker;
    const base = { throttleTimeMs: 0, endpointType: 1, clusterId: b.clusterId, controllerId: b.nodeId };
    if ((req.endpointType as number) !== 1) {
      return { ...base, errorCode: code('MISMATCHED_ENDPOINT_TYPE'), errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER', brokers: [], clusterAuthorizedOperations: NOT_REQUESTED };
    }
    return {
      ...base,
      errorCode: 0,
      errorMessage: null,
      brokers: [{ brokerId: b.nodeId, host: ctx.listener.host, port: ctx.listener.port, rack: null, isFenced: false }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? clusterOperations(ctx) : NOT_REQUESTED,
    };
  },
};
