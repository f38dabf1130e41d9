// Read-ahead for a streamed body: read_ahead(source, depth) returns a ChunkSource that yields
// the same chunks, in order, while a reader coroutine fetches up to `depth` chunks ahead of the
// consumer. The server writing chunk N to the client then overlaps with reading chunk N+1 from
// the upstream (a relayed document no longer alternates between the two sockets). Memory stays
// bounded (at most depth + 2 chunks: the queue, the one being read, the one being written) and
// backpressure still reaches the upstream: when the queue is full the reader waits.
//
// The returned source must be called from one coroutine at a time on one executor (a
// connection's strand); the reader runs on that executor. An exception from `source` is
// rethrown by the call that would have returned the failed chunk. Dropping the returned source
// stops the reader after its current read.
#pragma once

#include <cstddef>

#include "common/http_types.hpp"

namespace hareyaka::http {

ChunkSource read_ahead(ChunkSource source, std::size_t depth = 3);

}  // namespace hareyaka::http
