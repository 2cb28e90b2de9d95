import { InMemoryCoordination } from './coordination.ts';
import { runCoordinationContract } from './coordination.contract.ts';

// One process is one node: the in-memory adapter is checked against the same contract as Redis, with both "nodes"
// of the cross-node tests being the same instance.
runCoordinationContract('in-memory', async () => new InMemoryCoordination(), { shared: false });
