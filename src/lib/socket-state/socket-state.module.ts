import { Module } from '@nestjs/common';
import { EventStreamRegistry } from './event-stream-registry';
import { SocketStateService } from './socket-state.service';

/** Provides this instance's registries: of sockets, and of event streams. */
@Module({
  providers: [SocketStateService, EventStreamRegistry],
  exports: [SocketStateService, EventStreamRegistry],
})
export class SocketStateModule {}
