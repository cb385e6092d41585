import { Module } from '@nestjs/common';
import { EventStreamService } from './event-stream.service';

/**
 * Provides {@link EventStreamService}, for listen-only clients such as
 * Server-Sent Events. Import it next to `RedisPropagatorModule.forRoot()`,
 * whose providers it uses.
 */
@Module({
  providers: [EventStreamService],
  exports: [EventStreamService],
})
export class EventStreamModule {}
