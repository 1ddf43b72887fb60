//! What the store benches share: latency percentiles, CPU time, the spread of repeated rounds,
//! and the Redis server's own pipelined ceiling.

pub(crate) mod cpu;
pub(crate) mod latency;
pub(crate) mod redis_ceiling;
pub(crate) mod rounds;
pub(crate) mod spread;
