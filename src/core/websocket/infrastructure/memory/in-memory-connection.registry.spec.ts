import { describeConnectionRegistryContract } from '../../application/ports/connection-registry.suite.js';
import { InMemoryConnectionRegistry } from './in-memory-connection.registry.js';

describeConnectionRegistryContract('in memory', () => new InMemoryConnectionRegistry());
