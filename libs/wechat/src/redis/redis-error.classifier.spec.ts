import { classifyRedisError } from './redis-error.classifier';

describe('classifyRedisError', () => {
  it.each([
    ['TRYAGAIN Multiple keys request during rehashing of slot', 'transient'],
    ['CLUSTERDOWN The cluster is down', 'transient'],
    ['LOADING Redis is loading the dataset in memory', 'transient'],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no', 'transient'],
    ["READONLY You can't write against a read only replica.", 'transient'],
    ['BUSY Redis is busy running a script.', 'transient'],
    ['Connection is closed.', 'transient'],
    ["Stream isn't writeable and enableOfflineQueue options is false", 'transient'],
    ['Reached the max retries per request limit (which is 1).', 'transient'],
    ['Failed to refresh slots cache.', 'transient'],
    ['connect ECONNREFUSED 127.0.0.1:6379', 'transient'],
    ["CROSSSLOT Keys in request don't hash to the same slot", 'cross-slot'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', 'wrong-type'],
    ['ERR unknown command', 'other'],
    ['MOVED 3999 127.0.0.1:6381', 'other'],
  ])('%j is %s', (message, kind) => {
    expect(classifyRedisError(new Error(message))).toBe(kind);
  });

  it('reads errors from another realm and non-errors', () => {
    expect(classifyRedisError({ message: 'TRYAGAIN x' })).toBe('transient');
    expect(classifyRedisError('CROSSSLOT x')).toBe('cross-slot');
    expect(classifyRedisError(undefined)).toBe('other');
  });
});
